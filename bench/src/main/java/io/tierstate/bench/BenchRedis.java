package io.tierstate.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tierstate.TierstateConfig;
import io.tierstate.testkit.RedisServer;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Redis server the benchmarks use: the one {@code REDIS_URL} names, or else a real {@code
 * redis-server} started for the run on a free port and stopped by {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class BenchRedis implements AutoCloseable {
  private final @Nullable RedisServer server;
  private final Map<String, String> env;
  private final String url;

  private BenchRedis(@Nullable RedisServer server, Map<String, String> env, String url) {
    this.server = server;
    this.env = env;
    this.url = url;
  }

  /** Uses {@code REDIS_URL} if it is set, or starts a server. */
  public static BenchRedis startOrConnect() {
    Map<String, String> env = new HashMap<>(System.getenv());
    String url = env.getOrDefault("REDIS_URL", "").strip();
    if (!url.isEmpty()) {
      return new BenchRedis(null, env, url);
    }
    RedisServer server = RedisServer.start();
    env.put("REDIS_URL", server.uri());
    return new BenchRedis(server, env, server.uri());
  }

  /** The server's URL, with credentials if {@code REDIS_URL} has them. */
  public String url() {
    return url;
  }

  /**
   * A Tierstate configuration for this server (read from the environment, as an application
   * would), required to be reachable, in the namespace {@code bench}.
   */
  public TierstateConfig.Builder tierstateConfig() {
    return TierstateConfig.fromEnv(env).toBuilder().redisRequired(true).namespace("bench");
  }

  /** The server's version and where it runs, as {@code Redis 7.0.15 (started for the run, loopback)}. */
  public String describe() {
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      String version = connection.sync().info("server").lines()
          .filter(line -> line.startsWith("redis_version:"))
          .map(line -> line.substring("redis_version:".length()).strip())
          .findFirst().orElse("?");
      return "Redis " + version + (server != null ? " (started for the run, " + RedisURI.create(url).getHost() + ")"
          : " (REDIS_URL)");
    } finally {
      client.shutdown();
    }
  }

  /** Stops the server if this run started it. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
