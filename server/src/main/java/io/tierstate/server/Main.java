package io.tierstate.server;

import io.tierstate.TierstateConfig;
import io.tierstate.server.demo.DemoData;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import io.tierstate.testkit.ShutdownHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the service from environment variables (see docs/server.md). Without DATABASE_URL it
 * starts an embedded PostgreSQL, without REDIS_URL an embedded Redis: real servers on free ports
 * whose data lives until the process ends. Stops gracefully on SIGTERM: the server first, then the
 * embedded servers.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** Starts the service; exits with status 2 on invalid configuration, 1 if it cannot start. */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    ServerConfig config;
    TierstateConfig tierstateConfig;
    try {
      config = ServerConfig.fromEnv(env);
      tierstateConfig = TierstateConfig.fromEnv(env);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("tierstate-server: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<AutoCloseable> embedded = new ArrayList<>();
    TierstateServer server = null;
    try {
      if (config.database().jdbcUrl() == null) {
        PostgresServer postgres = PostgresServer.start();
        embedded.add(0, postgres);
        String url = postgres.createDatabase("tierstate");
        log.atInfo().addKeyValue("url", url).log("DATABASE_URL not set: started an embedded PostgreSQL");
        config = config.withDatabase(config.database().withUrl(url, postgres.user(), postgres.password()));
      }
      if (blank(env.get("REDIS_URL"))) {
        RedisServer redis = RedisServer.start();
        embedded.add(0, redis);
        log.atInfo().addKeyValue("url", redis.uri()).log("REDIS_URL not set: started an embedded Redis");
        tierstateConfig = tierstateConfig.toBuilder().redisUrl(redis.uri()).build();
      }
      server = TierstateServer.start(config, tierstateConfig);
    } catch (RuntimeException e) {
      log.atError().setCause(e).log("tierstate-server could not start: {}", e.getMessage());
      embedded.forEach(Main::closeQuietly);
      System.exit(1);
      return;
    }
    if (config.demo()) {
      // Plain text on stdout, not a log line: it is meant to be copied.
      System.out.println(System.lineSeparator() + DemoData.instructions("http://localhost:" + server.port())
          + System.lineSeparator());
    }
    TierstateServer started = server;
    Runnable shutdown = () -> {
      log.info("shutting down");
      started.close();
      embedded.forEach(Main::closeQuietly);
    };
    if (embedded.isEmpty()) {
      Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "tierstate-shutdown"));
    } else {
      // The testkit kills its servers in a hook of its own; stop the server before that.
      ShutdownHooks.beforeServersStop(shutdown);
    }
  }

  private static boolean blank(@Nullable String value) {
    return value == null || value.isBlank();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.atWarn().setCause(e).log("error while stopping {}", closeable);
    }
  }
}
