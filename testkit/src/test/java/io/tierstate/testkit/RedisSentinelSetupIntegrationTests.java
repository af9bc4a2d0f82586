package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisSentinelSetupIntegrationTests {

  @Test
  void sentinelReportsTheMasterAndTheUriIsLettuceShaped() {
    try (RedisSentinelSetup setup = RedisSentinelSetup.start()) {
      assertThat(setup.sentinel().command("SENTINEL", "get-master-addr-by-name", "mymaster"))
          .isEqualTo("127.0.0.1\n" + setup.masterPort());
      assertThat(setup.masterPort()).isEqualTo(setup.master().port());
      assertThat(setup.masterName()).isEqualTo("mymaster");
      assertThat(setup.uri())
          .isEqualTo("redis-sentinel://127.0.0.1:" + setup.sentinelPort() + "/0#mymaster");
      assertThat(setup.master().command("SET", "k", "v")).isEqualTo("OK");
    }
  }
}
