package io.tierstate.examples.spring;

import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where PostgreSQL and Redis are: from the environment, else servers of our own for a demo. */
final class Servers {
  private static final Logger log = LoggerFactory.getLogger(Servers.class);

  private Servers() {}

  /** Spring properties naming the database and Redis; starts the ones the environment does not name. */
  static Map<String, Object> fromEnvironmentOrEmbedded(Map<String, String> env) {
    Map<String, Object> properties = new HashMap<>();
    String port = env.get("PORT");
    properties.put("server.port", port == null || port.isBlank() ? "8080" : port);
    String database = env.get("DATABASE_URL");
    if (database == null || database.isBlank()) {
      PostgresServer postgres = PostgresServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "catalog-postgres-stop"));
      properties.putAll(database(postgres.createDatabase("catalog"), postgres.user(),
          postgres.password()));
      log.info("DATABASE_URL is unset: started PostgreSQL at {}", properties.get("spring.datasource.url"));
    } else {
      properties.putAll(database(database, env.getOrDefault("DATABASE_USER", ""),
          env.getOrDefault("DATABASE_PASSWORD", "")));
    }
    String redis = env.get("REDIS_URL");
    if (redis == null || redis.isBlank()) {
      RedisServer server = RedisServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "catalog-redis-stop"));
      redis = server.uri();
      log.info("REDIS_URL is unset: started Redis at {}", redis);
    }
    properties.putAll(redis(redis));
    return properties;
  }

  /** The properties of a PostgreSQL database. */
  static Map<String, Object> database(String jdbcUrl, String user, String password) {
    return Map.of("spring.datasource.url", jdbcUrl, "spring.datasource.username", user,
        "spring.datasource.password", password);
  }

  /** The properties of Redis, for Tierstate and for Spring Data Redis (the comparison). */
  static Map<String, Object> redis(String url) {
    return Map.of("tierstate.redis.url", url, "spring.data.redis.url", url);
  }
}
