package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiRateLimitIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestInfrastructure infra;
  private static TierstateServer server;

  @BeforeAll
  static void start() {
    infra = new TestInfrastructure();
    server = infra.startServer(Map.of("API_RATE_LIMIT", "5", "API_RATE_WINDOW", "1m"));
  }

  @AfterAll
  static void stop() {
    server.close();
    infra.close();
  }

  @Test
  void anonymousRequestsAreLimitedPerAddressWithDraftAndFamiliarHeaders() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> response = browser.get("/api/v1/auth/session");
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=5;w=60");
      assertThat(response.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"api\";r=" + (5 - i) + ";t=");
      assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
      assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(5 - i));
      long reset = Long.parseLong(response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
      assertThat(reset).isBetween(System.currentTimeMillis() / 1000 - 5, System.currentTimeMillis() / 1000 + 125);
      assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }
    HttpResponse<String> limited = browser.get("/api/v1/auth/session");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("rate_limited");
    // A sliding window counter weighs the previous window in, so the wait may exceed one window.
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 120L);
    assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");

    // Another address has its own budget; non-API routes are not limited.
    assertThat(TestInfrastructure.browser(server).get("/api/v1/auth/session").statusCode()).isEqualTo(401);
    assertThat(browser.get("/health").statusCode()).isEqualTo(200);
    assertThat(browser.get("/health").headers().firstValue("RateLimit")).isEmpty();
  }

  @Test
  void signedInUsersAreLimitedPerUserWhateverTheirAddress() {
    Browser laptop = TestInfrastructure.browser(server);
    assertThat(laptop.login("alice@acme.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
    Browser phone = TestInfrastructure.browser(server);
    phone.login("alice@acme.test", TestInfrastructure.PASSWORD);

    int allowed = 0;
    for (int i = 0; i < 6; i++) {
      Browser device = i % 2 == 0 ? laptop : phone;
      if (device.get("/api/v1/auth/session").statusCode() == 200) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(5);
    assertThat(laptop.get("/api/v1/auth/session").statusCode()).isEqualTo(429);
    // Bob, on the same address as Alice's laptop, still has his own budget.
    Browser bob = new Browser(server.baseUrl(), laptop.clientIp());
    bob.login("bob@globex.test", TestInfrastructure.PASSWORD);
    assertThat(bob.get("/api/v1/auth/session").statusCode()).isEqualTo(200);
  }
}
