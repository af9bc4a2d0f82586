package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PostgreSQL stopped mid-test: health says so, cached reads go on, and the service recovers. */
class PostgresOutageIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void unhealthyWithoutTheDatabaseButSignedInReadsAreServedFromTheCache() throws Exception {
    ApiClient browser = stack.client();
    assertThat(browser.attemptLogin("alice@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);

    stack.postgres().stop();
    try {
      Answer health = browser.get("/health");
      assertThat(health.status()).isEqualTo(503);
      JsonNode body = JSON.readTree(health.body());
      assertThat(body.at("/status").asText()).isEqualTo("UNHEALTHY");
      assertThat(body.at("/checks").toString()).contains("\"name\":\"database\",\"status\":\"UNHEALTHY\"");
      assertThat(browser.get("/health/cache").status()).isEqualTo(200);

      // The session is in Redis and Alice's permissions in the cache: no database needed.
      assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);

      Answer login = stack.client().attemptLogin("carol@acme.test", TestStack.PASSWORD);
      assertThat(login.status()).as(login.body()).isEqualTo(503);
      assertThat(JSON.readTree(login.body()).at("/error/code").asText()).isEqualTo("database_unavailable");
    } finally {
      stack.postgres().restart();
    }

    Await.until("health recovers", () -> browser.get("/health").status() == 200, Duration.ofSeconds(30));
    assertThat(stack.client().attemptLogin("carol@acme.test", TestStack.PASSWORD).status())
        .isEqualTo(200);
  }
}
