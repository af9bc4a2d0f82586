package io.tierstate.server;

import io.tierstate.TierstateConfig;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL and one real Redis for a test class, and servers started on them with the
 * demo data, a shared JWT secret and X-Forwarded-For trusted (each test browses from its own
 * address, so per-IP limits do not leak between tests).
 */
final class TestInfrastructure implements AutoCloseable {
  static final String SECRET = "integration-tests-secret-0123456789abcdef";
  static final String PASSWORD = "tierstate-demo";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  final PostgresServer postgres;
  final RedisServer redis;
  final String jdbcUrl;

  TestInfrastructure() {
    postgres = PostgresServer.start();
    redis = RedisServer.start();
    jdbcUrl = postgres.createDatabase("tierstate_" + DATABASES.incrementAndGet());
  }

  /** A server with the defaults plus {@code overrides} (environment variable names). */
  TierstateServer startServer(Map<String, String> overrides) {
    return startServer(overrides, java.util.List.of());
  }

  /** A server as above with test-only features registered after the built-in ones. */
  TierstateServer startServer(Map<String, String> overrides, java.util.List<Feature> extraFeatures) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "0");
    env.put("DATABASE_URL", jdbcUrl);
    env.put("DATABASE_USER", postgres.user());
    env.put("JWT_SECRET", SECRET);
    env.put("TIERSTATE_DEMO", "true");
    env.put("TRUST_FORWARDED_FOR", "true");
    env.put("LOGIN_RATE_LIMIT_IP", "1000");
    env.put("API_RATE_LIMIT", "10000");
    env.putAll(overrides);
    TierstateConfig redisConfig = TierstateConfig.fromEnv(Map.of("REDIS_URL", redis.uri(),
        "TIERSTATE_COMMAND_TIMEOUT", "500ms", "TIERSTATE_CONNECT_TIMEOUT", "500ms"));
    return TierstateServer.start(ServerConfig.fromEnv(env), redisConfig, extraFeatures);
  }

  /** A browser with an address no other browser of this JVM has. */
  static Browser browser(TierstateServer server) {
    int n = ADDRESSES.incrementAndGet();
    return new Browser(server.baseUrl(), "10.0." + (n / 250) + "." + (n % 250 + 1));
  }

  @Override
  public void close() {
    redis.close();
    postgres.close();
  }
}
