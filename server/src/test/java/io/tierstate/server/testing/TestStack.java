package io.tierstate.server.testing;

import io.tierstate.TierstateConfig;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.TierstateServer;
import io.tierstate.testkit.FaultProxy;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL and one real Redis for a test class, and any number of service instances on
 * them (as behind a load balancer), with the demo data, one JWT secret and X-Forwarded-For trusted
 * so that each {@link ApiClient} has its own client address. Limits are raised so tests never trip
 * them by accident; a test class that checks a limit sets it.
 *
 * <p>Registered as an extension on a static field, it starts before all tests of the class (with
 * its first instances) and stops after them:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestStack stack = TestStack.withServer(Map.of("API_RATE_LIMIT", "5"));
 * }</pre>
 */
public final class TestStack implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  /** The demo users' password. */
  public static final String PASSWORD = "tierstate-demo";
  private static final String SECRET = "integration-tests-secret-0123456789abcdef";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  private final int initialServers;
  private final Map<String, String> initialOverrides;
  private final List<Feature> initialFeatures;
  private final List<TierstateServer> servers = new ArrayList<>();
  private final List<FaultProxy> redisProxies = new ArrayList<>();
  private boolean redisThroughProxies;
  private PostgresServer postgres;
  private RedisServer redis;
  private String jdbcUrl;

  private TestStack(int initialServers, Map<String, String> overrides, List<Feature> extraFeatures) {
    this.initialServers = initialServers;
    this.initialOverrides = Map.copyOf(overrides);
    this.initialFeatures = List.copyOf(extraFeatures);
  }

  /**
   * Connects each instance to Redis through a {@link FaultProxy} of its own ({@link #redisProxy}),
   * so that a test can slow or cut one instance's path to Redis and not the others'. Call before
   * the stack starts.
   */
  public TestStack eachThroughItsOwnRedisProxy() {
    redisThroughProxies = true;
    return this;
  }

  /** The proxy between the {@code index}-th instance and Redis ({@link #eachThroughItsOwnRedisProxy}). */
  public FaultProxy redisProxy(int index) {
    return redisProxies.get(index);
  }

  /** A stack with one instance with the test defaults. */
  public static TestStack withServer() {
    return withServers(1);
  }

  /** A stack with one instance with the test defaults plus {@code overrides} (environment variable names). */
  public static TestStack withServer(Map<String, String> overrides) {
    return withServer(overrides, List.of());
  }

  /** A stack with one instance as above, with test-only features registered after the built-in ones. */
  public static TestStack withServer(Map<String, String> overrides, List<Feature> extraFeatures) {
    return new TestStack(1, overrides, extraFeatures);
  }

  /** A stack with {@code count} instances with the test defaults. */
  public static TestStack withServers(int count) {
    return withServers(count, Map.of());
  }

  /** A stack with {@code count} instances with the test defaults plus {@code overrides}. */
  public static TestStack withServers(int count, Map<String, String> overrides) {
    return new TestStack(count, overrides, List.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  /**
   * Starts PostgreSQL, Redis and the first instances; for test engines without extensions
   * (jqwik's {@code @BeforeContainer}), which then {@link #close} the stack themselves.
   */
  public TestStack start() {
    postgres = PostgresServer.start();
    redis = RedisServer.start();
    jdbcUrl = postgres.createDatabase("tierstate_" + DATABASES.incrementAndGet());
    for (int i = 0; i < initialServers; i++) {
      startServer(initialOverrides, initialFeatures);
    }
    return this;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** The first instance. */
  public TierstateServer server() {
    return server(0);
  }

  /** The instance started {@code index}-th (from 0). */
  public TierstateServer server(int index) {
    return servers.get(index);
  }

  /** Starts another instance with the test defaults; it is closed with the stack. */
  public TierstateServer startServer() {
    return startServer(Map.of());
  }

  /** Starts another instance with the test defaults plus {@code overrides}; it is closed with the stack. */
  public TierstateServer startServer(Map<String, String> overrides) {
    return startServer(overrides, List.of());
  }

  /** Starts another instance as above, with test-only features registered after the built-in ones. */
  public TierstateServer startServer(Map<String, String> overrides, List<Feature> extraFeatures) {
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
    // Off unless a test turns it on: a stream's start-up resync would reach the event streams.
    env.put("SERVER_CDC", "off");
    env.putAll(overrides);
    String redisUri = redis.uri();
    if (redisThroughProxies) {
      FaultProxy proxy = FaultProxy.to(redis.host(), redis.port());
      redisProxies.add(proxy);
      redisUri = proxy.redisUri();
    }
    TierstateConfig redisConfig = TierstateConfig.fromEnv(Map.of("REDIS_URL", redisUri,
        "TIERSTATE_COMMAND_TIMEOUT", "500ms", "TIERSTATE_CONNECT_TIMEOUT", "500ms"));
    TierstateServer server = TierstateServer.start(ServerConfig.fromEnv(env), redisConfig, extraFeatures);
    servers.add(server);
    return server;
  }

  /** The shared database's JDBC URL, for writers that bypass the service (as {@code psql}). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The shared PostgreSQL, to stop and restart it. */
  public PostgresServer postgres() {
    return postgres;
  }

  /** The shared Redis, to stop and restart it. */
  public RedisServer redis() {
    return redis;
  }

  /** A client of the first instance with an address no other client in this JVM has. */
  public ApiClient client() {
    return client(server());
  }

  /** A client of {@code server} with an address no other client in this JVM has. */
  public static ApiClient client(TierstateServer server) {
    int n = ADDRESSES.incrementAndGet();
    return new ApiClient(server.baseUrl(), "10.0." + (n / 250) + "." + (n % 250 + 1));
  }

  /** A client of {@code server}, signed in as {@code email} with the demo password. */
  public static ApiClient signedIn(TierstateServer server, String email) {
    ApiClient client = client(server);
    client.login(email, PASSWORD);
    return client;
  }

  /** Closes every instance (last started first), then Redis and PostgreSQL. */
  @Override
  public void close() {
    for (int i = servers.size() - 1; i >= 0; i--) {
      servers.get(i).close();
    }
    servers.clear();
    redisProxies.forEach(FaultProxy::close);
    redisProxies.clear();
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
