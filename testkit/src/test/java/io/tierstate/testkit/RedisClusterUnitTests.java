package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading a master's own slots from its {@code CLUSTER NODES} line, as slot migration does. */
class RedisClusterUnitTests {
  private static final String LINE =
      "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 myself,master - 0 0 4"
          + " connected 0-5460 7000 [7001->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]";

  @Test
  void aSlotInARangeOrListedAloneIsClaimed() {
    assertThat(RedisCluster.claims(LINE, 0)).isTrue();
    assertThat(RedisCluster.claims(LINE, 5460)).isTrue();
    assertThat(RedisCluster.claims(LINE, 7000)).isTrue();
  }

  @Test
  void aSlotOutsideTheRangesOrOnlyMigratingIsNot() {
    assertThat(RedisCluster.claims(LINE, 5461)).isFalse();
    assertThat(RedisCluster.claims(LINE, 7001)).isFalse();
    assertThat(RedisCluster.claims("", 0)).isFalse();
  }
}
