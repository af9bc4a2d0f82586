package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiRateLimitIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestStack stack = TestStack.withServer(Map.of("API_RATE_LIMIT", "5", "API_RATE_WINDOW", "1m"));

  @Test
  void anonymousRequestsAreLimitedPerAddressWithDraftAndFamiliarHeaders() throws Exception {
    ApiClient browser = stack.client();
    for (int i = 1; i <= 5; i++) {
      Answer response = browser.get("/api/v1/auth/session");
      assertThat(response.status()).isEqualTo(401);
      assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=5;w=60");
      assertThat(response.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"api\";r=" + (5 - i) + ";t=");
      assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
      assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(5 - i));
      long reset = Long.parseLong(response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
      assertThat(reset).isBetween(System.currentTimeMillis() / 1000 - 5, System.currentTimeMillis() / 1000 + 125);
      assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }
    Answer limited = browser.get("/api/v1/auth/session");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("rate_limited");
    // A sliding window counter weighs the previous window in, so the wait may exceed one window.
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 120L);
    assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");

    // Another address has its own budget; non-API routes are not limited.
    assertThat(stack.client().get("/api/v1/auth/session").status()).isEqualTo(401);
    assertThat(browser.get("/health").status()).isEqualTo(200);
    assertThat(browser.get("/health").headers().firstValue("RateLimit")).isEmpty();
  }

  @Test
  void signedInUsersAreLimitedPerUserWhateverTheirAddress() {
    ApiClient laptop = stack.client();
    assertThat(laptop.attemptLogin("alice@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
    ApiClient phone = stack.client();
    phone.attemptLogin("alice@acme.test", TestStack.PASSWORD);

    int allowed = 0;
    for (int i = 0; i < 6; i++) {
      ApiClient device = i % 2 == 0 ? laptop : phone;
      if (device.get("/api/v1/auth/session").status() == 200) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(5);
    assertThat(laptop.get("/api/v1/auth/session").status()).isEqualTo(429);
    // Bob, on the same address as Alice's laptop, still has his own budget.
    ApiClient bob = new ApiClient(stack.server().baseUrl(), laptop.clientIp());
    bob.attemptLogin("bob@globex.test", TestStack.PASSWORD);
    assertThat(bob.get("/api/v1/auth/session").status()).isEqualTo(200);
  }
}
