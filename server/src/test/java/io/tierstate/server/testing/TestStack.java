package io.tierstate.server.testing;

import io.tierstate.TierstateConfig;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.TierstateServer;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL and one real Redis for a test class, and any number of service instances on
 * them (as behind a load balancer), with the demo data, one JWT secret and X-Forwarded-For trusted
 * so that each {@link ApiClient} has its own client address. Limits are raised so tests never trip
 * them by accident.
 */
public final class TestStack implements AutoCloseable {
  /** The demo users' password. */
  public static final String PASSWORD = "tierstate-demo";
  private static final String SECRET = "data-api-tests-secret-0123456789abcdef";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  private final PostgresServer postgres;
  private final RedisServer redis;
  private final String jdbcUrl;
  private final List<TierstateServer> servers = new ArrayList<>();

  /** Starts PostgreSQL and Redis. */
  public TestStack() {
    postgres = PostgresServer.start();
    redis = RedisServer.start();
    jdbcUrl = postgres.createDatabase("data_api_" + DATABASES.incrementAndGet());
  }

  /** Starts a service instance on the shared PostgreSQL and Redis. */
  public TierstateServer startServer() {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "0");
    env.put("DATABASE_URL", jdbcUrl);
    env.put("DATABASE_USER", postgres.user());
    env.put("JWT_SECRET", SECRET);
    env.put("TIERSTATE_DEMO", "true");
    env.put("TRUST_FORWARDED_FOR", "true");
    env.put("LOGIN_RATE_LIMIT_IP", "100000");
    env.put("LOGIN_RATE_LIMIT_EMAIL", "100000");
    env.put("MAX_DEVICES", "1000");
    env.put("API_RATE_LIMIT", "1000000");
    TierstateConfig redisConfig = TierstateConfig.fromEnv(Map.of("REDIS_URL", redis.uri(),
        "TIERSTATE_COMMAND_TIMEOUT", "500ms", "TIERSTATE_CONNECT_TIMEOUT", "500ms"));
    TierstateServer server = TierstateServer.start(ServerConfig.fromEnv(env), redisConfig);
    servers.add(server);
    return server;
  }

  /** The shared Redis, to stop and restart it. */
  public RedisServer redis() {
    return redis;
  }

  /** A client of {@code server} with an address no other client in this JVM has. */
  public static ApiClient client(TierstateServer server) {
    int n = ADDRESSES.incrementAndGet();
    return new ApiClient(server.baseUrl(), "10.9." + (n / 250) + "." + (n % 250 + 1));
  }

  /** A client of {@code server}, signed in as {@code email} with the demo password. */
  public static ApiClient signedIn(TierstateServer server, String email) {
    ApiClient client = client(server);
    client.login(email, PASSWORD);
    return client;
  }

  @Override
  public void close() {
    for (int i = servers.size() - 1; i >= 0; i--) {
      servers.get(i).close();
    }
    redis.close();
    postgres.close();
  }
}
