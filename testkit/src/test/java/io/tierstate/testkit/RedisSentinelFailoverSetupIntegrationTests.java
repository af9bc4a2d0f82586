package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The replicated Sentinel setup fails over on request and when its primary crashes. */
class RedisSentinelFailoverSetupIntegrationTests {

  @Test
  void replicatesThenFailsOverOnRequestAndAfterACrash() {
    try (RedisSentinelFailoverSetup setup = RedisSentinelFailoverSetup.start()) {
      assertThat(setup.uri()).startsWith("redis-sentinel://127.0.0.1:").endsWith("/0#mymaster")
          .matches("redis-sentinel://(127\\.0\\.0\\.1:\\d+,){2}127\\.0\\.0\\.1:\\d+/0#mymaster");
      RedisServer first = setup.primary();
      assertThat(first).isSameAs(setup.servers().get(0));
      assertThat(first.command("SET", "k", "v1")).isEqualTo("OK");
      first.awaitReplicated(setup.replica(), Duration.ofSeconds(10));
      assertThat(setup.replica().command("GET", "k")).isEqualTo("v1");

      RedisServer second = setup.failover();
      assertThat(second).isSameAs(setup.servers().get(1)).isSameAs(setup.primary());
      assertThat(second.command("SET", "k", "v2")).isEqualTo("OK");
      assertThat(second.command("GET", "k")).isEqualTo("v2");

      // A crash of the primary: the Sentinels see it down and promote the other server.
      assertThat(Poll.until(Duration.ofSeconds(30), () -> "v2".equals(first.command("GET", "k"))))
          .as(() -> "the demoted server replicates from the new primary: " + first.command("INFO", "replication")
              + " sentinel: " + setup.sentinels().get(0).command("SENTINEL", "replicas", "mymaster")).isTrue();
      second.kill();
      RedisServer third = setup.awaitPrimaryOtherThan(second, Duration.ofSeconds(30));
      assertThat(third).isSameAs(first);
      assertThat(third.command("GET", "k")).isEqualTo("v2");
      assertThat(third.command("SET", "k", "v3")).isEqualTo("OK");
    }
  }
}
