package io.tierstate.internal.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.cache.HotKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a heartbeat carries the node's hot keys in its hash field, and reads them back. */
class HotKeyHeartbeatUnitTests {

  @Test
  void hotKeysSurviveTheRoundTripInOrder() {
    List<HotKey> hot =
        List.of(new HotKey("tenant:7:user:1:permissions", 1234.5), new HotKey("greeting", 0.25));

    String field = RedisClusterNodes.encodeHotKeys(hot);

    assertThat(field).isEqualTo("1234.500 tenant:7:user:1:permissions\n0.250 greeting");
    assertThat(RedisClusterNodes.decodeHotKeys(field.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(hot);
  }

  @Test
  void noFieldOrAnEmptyOneIsNoHotKeys() {
    assertThat(RedisClusterNodes.encodeHotKeys(List.of())).isEmpty();
    assertThat(RedisClusterNodes.decodeHotKeys(null)).isEmpty();
    assertThat(RedisClusterNodes.decodeHotKeys(new byte[0])).isEmpty();
  }

  @Test
  void malformedLinesAreSkippedAndTheRestKept() {
    String field =
        "12.000 good\nnot-a-number key\n-3 negative\n5.000\n 7 leading-space\n1.000 also-good";
    assertThat(RedisClusterNodes.decodeHotKeys(field.getBytes(StandardCharsets.UTF_8)))
        .containsExactly(new HotKey("good", 12), new HotKey("also-good", 1));
  }
}
