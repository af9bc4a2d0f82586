package io.tierstate.examples.spring;

import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Instances of the catalog on one PostgreSQL database and one Redis, each its own application
 * context on its own port, and an HTTP client to talk to them.
 */
final class CatalogNodes implements AutoCloseable {
  /** The cache managers compared: each a set of properties on the same code. */
  enum CacheManagerKind {
    TIERSTATE(Map.of()),
    SPRING_DATA_REDIS(Map.of("tierstate.cache-manager-enabled", "false", "spring.cache.type", "redis")),
    CAFFEINE(Map.of("tierstate.cache-manager-enabled", "false", "spring.cache.type", "caffeine"));

    final Map<String, String> properties;

    CacheManagerKind(Map<String, String> properties) {
      this.properties = properties;
    }
  }

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final Map<String, Object> servers = new HashMap<>();

  CatalogNodes(PostgresServer postgres, String jdbcUrl, RedisServer redis) {
    servers.putAll(Servers.database(jdbcUrl, postgres.user(), postgres.password()));
    servers.putAll(Servers.redis(redis.uri()));
    servers.put("tierstate.namespace", "catalog-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** Starts an instance on a free port and returns its base URL. */
  String start(CacheManagerKind kind, String... extra) {
    Map<String, Object> properties = new HashMap<>(servers);
    properties.put("server.port", "0");
    properties.put("logging.level.root", "WARN");
    properties.putAll(kind.properties);
    for (String property : extra) {
      int eq = property.indexOf('=');
      properties.put(property.substring(0, eq), property.substring(eq + 1));
    }
    ConfigurableApplicationContext context = new SpringApplicationBuilder(CatalogApplication.class)
        .properties(properties)
        .run();
    contexts.add(context);
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  List<ConfigurableApplicationContext> contexts() {
    return contexts;
  }

  static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  static HttpResponse<String> put(String url, String json) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  static HttpResponse<String> delete(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).DELETE().build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }
}
