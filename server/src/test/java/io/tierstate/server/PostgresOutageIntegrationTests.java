package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgreSQL stopped mid-test: health says so, cached reads go on, and the service recovers. */
class PostgresOutageIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestInfrastructure infra;
  private static TierstateServer server;

  @BeforeAll
  static void start() {
    infra = new TestInfrastructure();
    server = infra.startServer(Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
    infra.close();
  }

  @Test
  void unhealthyWithoutTheDatabaseButSignedInReadsAreServedFromTheCache() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    assertThat(browser.login("alice@acme.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

    infra.postgres.stop();
    try {
      HttpResponse<String> health = browser.get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      JsonNode body = JSON.readTree(health.body());
      assertThat(body.at("/status").asText()).isEqualTo("UNHEALTHY");
      assertThat(body.at("/checks").toString()).contains("\"name\":\"database\",\"status\":\"UNHEALTHY\"");
      assertThat(browser.get("/health/cache").statusCode()).isEqualTo(200);

      // The session is in Redis and Alice's permissions in the cache: no database needed.
      assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

      HttpResponse<String> login = TestInfrastructure.browser(server).login("carol@acme.test", TestInfrastructure.PASSWORD);
      assertThat(login.statusCode()).as(login.body()).isEqualTo(503);
      assertThat(JSON.readTree(login.body()).at("/error/code").asText()).isEqualTo("database_unavailable");
    } finally {
      infra.postgres.restart();
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (browser.get("/health").statusCode() != 200) {
      assertThat(System.nanoTime()).as("health did not recover").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(TestInfrastructure.browser(server).login("carol@acme.test", TestInfrastructure.PASSWORD).statusCode())
        .isEqualTo(200);
  }
}
