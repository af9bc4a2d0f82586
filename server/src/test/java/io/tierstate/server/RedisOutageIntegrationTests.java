package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis stopped mid-test: the service degrades, keeps answering what it can, and recovers. */
class RedisOutageIntegrationTests {
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
  void degradesWhileRedisIsDownAndRecoversWhenItReturns() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    assertThat(browser.login("alice@acme.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

    infra.redis.stop();
    try {
      awaitTrue("health reports DEGRADED", () -> status(browser.get("/health")).equals("DEGRADED"));
      HttpResponse<String> health = browser.get("/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).at("/checks").toString()).contains("\"database\"", "HEALTHY");

      // Reads go on: the token's signature vouches for the caller, PostgreSQL for the account.
      HttpResponse<String> session = browser.get("/api/v1/auth/session");
      assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(session.body());
      assertThat(body.at("/degraded").asBoolean()).isTrue();
      assertThat(body.at("/user/email").asText()).isEqualTo("alice@acme.test");
      assertThat(body.at("/permissions").toString()).contains("users:read");

      // Changes and sign-ins need the session store: an honest 503, not a 500 and not a 429.
      HttpResponse<String> logoutAll = browser.post("/api/v1/auth/logout-all", "");
      assertThat(logoutAll.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(logoutAll.body()).at("/error/code").asText()).isEqualTo("session_store_unavailable");
      HttpResponse<String> login = TestInfrastructure.browser(server).login("carol@acme.test", TestInfrastructure.PASSWORD);
      assertThat(login.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(login.body()).at("/error/code").asText()).isEqualTo("session_store_unavailable");
      assertThat(browser.get("/metrics").statusCode()).isEqualTo(200);
    } finally {
      infra.redis.restart();
    }

    awaitTrue("health recovers", () -> status(browser.get("/health")).equals("HEALTHY"));
    // Redis came back empty (no persistence): the old session is gone, signing in works again.
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(401);
    Browser again = TestInfrastructure.browser(server);
    awaitTrue("login works again",
        () -> again.login("alice@acme.test", TestInfrastructure.PASSWORD).statusCode() == 200);
    assertThat(again.get("/api/v1/auth/session").statusCode()).isEqualTo(200);
  }

  private static String status(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body()).at("/status").asText();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(100);
    }
  }
}
