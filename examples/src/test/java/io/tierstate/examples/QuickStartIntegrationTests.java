package io.tierstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The README's run command must keep working: run the example and check what it reports. */
class QuickStartIntegrationTests {
  @Test
  void cachesInvalidatesAndPrintsMetrics() throws Exception {
    String output = Stdout.of(() -> QuickStart.main(new String[0]));
    assertThat(output)
        .contains("node-b read it from Redis")
        .contains("node-b now sees User[id=u1, name=Alice, permissions=[tickets:read]]")
        .contains("invalidated tag tenant:acme:users (1 key) on every node")
        .contains("database reads: 1")
        .containsPattern("node-b metrics: hit rate (0\\.9\\d\\d|1\\.000) ");
  }
}
