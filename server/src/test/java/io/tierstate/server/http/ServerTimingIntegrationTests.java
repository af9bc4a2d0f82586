package io.tierstate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.TestStack;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code SERVER_TIMING=true} tells a caller how the server's time on a request splits (what the
 * dashboard benchmark reads to tell server time from client time); by default nothing is told.
 */
class ServerTimingIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void aSignedInRequestIsTimedPerPhaseOnlyWhenAsked() {
    ApiClient quiet = TestStack.signedIn(stack.server(), "alice@acme.test");
    ApiClient.Answer plain = quiet.get("/api/v1/auth/session");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.header("Server-Timing")).as("off by default").isNull();

    TierstateServer timed = stack.startServer(Map.of("SERVER_TIMING", "true"));
    ApiClient.Answer answer = quiet.on(timed.baseUrl()).get("/api/v1/auth/session");
    assertThat(answer.status()).isEqualTo(200);
    String timing = answer.header("Server-Timing");
    assertThat(timing).matches("ratelimit;dur=\\d+\\.\\d{3}, auth;dur=\\d+\\.\\d{3}, total;dur=\\d+\\.\\d{3}");
    double total = Double.parseDouble(timing.replaceAll(".*total;dur=", ""));
    double ratelimit = Double.parseDouble(timing.replaceAll("ratelimit;dur=([^,]+),.*", "$1"));
    assertThat(total).as("the phases are inside the total").isGreaterThanOrEqualTo(ratelimit);

    // An anonymous refusal is timed too: the auth phase ends in the 401.
    ApiClient.Answer refused = TestStack.client(timed).get("/api/v1/auth/session");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("Server-Timing")).contains("auth;dur=").contains("total;dur=");
  }
}
