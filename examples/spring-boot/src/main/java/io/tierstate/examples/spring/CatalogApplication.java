package io.tierstate.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The catalog service. {@code DATABASE_URL} ({@code jdbc:postgresql://…}, with {@code
 * DATABASE_USER}, {@code DATABASE_PASSWORD}) and {@code REDIS_URL} name the servers; without them
 * it starts a PostgreSQL and a Redis of its own on free ports.
 */
@SpringBootApplication
@EnableCaching
public class CatalogApplication {

  /** Starts the service; {@code PORT} (default 8080) is its HTTP port. */
  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(CatalogApplication.class);
    app.setDefaultProperties(Servers.fromEnvironmentOrEmbedded(System.getenv()));
    app.run(args);
  }
}
