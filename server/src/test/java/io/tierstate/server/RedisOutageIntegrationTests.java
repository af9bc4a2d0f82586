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

/** Redis stopped mid-test: the service degrades, keeps answering what it can, and recovers. */
class RedisOutageIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void degradesWhileRedisIsDownAndRecoversWhenItReturns() throws Exception {
    ApiClient browser = stack.client();
    assertThat(browser.attemptLogin("alice@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);

    stack.redis().stop();
    try {
      Await.until("health reports DEGRADED", () -> status(browser.get("/health")).equals("DEGRADED"), WAIT);
      Answer health = browser.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).at("/checks").toString()).contains("\"database\"", "HEALTHY");

      // Reads go on: the token's signature vouches for the caller, PostgreSQL for the account.
      Answer session = browser.get("/api/v1/auth/session");
      assertThat(session.status()).as(session.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(session.body());
      assertThat(body.at("/degraded").asBoolean()).isTrue();
      assertThat(body.at("/user/email").asText()).isEqualTo("alice@acme.test");
      assertThat(body.at("/permissions").toString()).contains("users:read");

      // Changes and sign-ins need the session store: an honest 503, not a 500 and not a 429.
      Answer logoutAll = browser.post("/api/v1/auth/logout-all", "");
      assertThat(logoutAll.status()).isEqualTo(503);
      assertThat(JSON.readTree(logoutAll.body()).at("/error/code").asText()).isEqualTo("session_store_unavailable");
      Answer login = stack.client().attemptLogin("carol@acme.test", TestStack.PASSWORD);
      assertThat(login.status()).isEqualTo(503);
      assertThat(JSON.readTree(login.body()).at("/error/code").asText()).isEqualTo("session_store_unavailable");
      assertThat(browser.get("/metrics").status()).isEqualTo(200);
    } finally {
      stack.redis().restart();
    }

    Await.until("health recovers", () -> status(browser.get("/health")).equals("HEALTHY"), WAIT);
    // Redis came back empty (no persistence): the old session is gone, signing in works again.
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(401);
    ApiClient again = stack.client();
    Await.until("login works again",
        () -> again.attemptLogin("alice@acme.test", TestStack.PASSWORD).status() == 200, WAIT);
    assertThat(again.get("/api/v1/auth/session").status()).isEqualTo(200);
  }

  private static String status(Answer response) {
    try {
      return JSON.readTree(response.body()).at("/status").asText();
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
