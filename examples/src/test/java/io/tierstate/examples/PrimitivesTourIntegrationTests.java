package io.tierstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The README's primitives tour must keep working: run it and check what it reports. */
class PrimitivesTourIntegrationTests {
  @Test
  void locksRateLimitsSessionsAndPubSubBehaveAsTheReadmeSays() throws Exception {
    String output = Stdout.of(() -> PrimitivesTour.main(new String[0]));
    assertThat(output)
        .contains("lock nightly-report held with fencing token 1")
        .contains("lock nightly-report held again with fencing token 2")
        .contains("request 3: allowed (0 left)")
        .contains("request 4: denied, retry after")
        .contains("session for u7 in tenant acme")
        .contains("from another IP, with validation: false")
        .contains("rotated: old id valid false, new id valid true")
        .contains("signed out everywhere: 1 session(s)")
        .contains("pub/sub delivered Activity[user=alice, action=opened ticket 42]");
  }
}
