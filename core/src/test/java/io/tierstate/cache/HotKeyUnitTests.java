package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A hot key's checks, and merging several nodes' lists into the cluster's. */
class HotKeyUnitTests {

  @Test
  void mergingAddsEachKeysRatesAcrossNodesAndKeepsTheHottest() {
    List<HotKey> nodeA = List.of(new HotKey("a", 300), new HotKey("shared", 100));
    List<HotKey> nodeB = List.of(new HotKey("shared", 250), new HotKey("b", 200));

    assertThat(HotKey.merge(List.of(nodeA, nodeB), 20))
        .containsExactly(new HotKey("shared", 350), new HotKey("a", 300), new HotKey("b", 200));
    assertThat(HotKey.merge(List.of(nodeA, nodeB), 2))
        .containsExactly(new HotKey("shared", 350), new HotKey("a", 300));
    assertThat(HotKey.merge(List.of(nodeA, nodeB), 0)).isEmpty();
    assertThat(HotKey.merge(List.of(), 20)).isEmpty();
  }

  @Test
  void equalRatesAreListedByKey() {
    assertThat(HotKey.merge(List.of(List.of(new HotKey("z", 5), new HotKey("m", 5))), 20))
        .extracting(HotKey::key)
        .containsExactly("m", "z");
  }

  @Test
  void badValuesAreRejected() {
    assertThatNullPointerException().isThrownBy(() -> new HotKey(null, 1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new HotKey("k", -1))
        .withMessage("readsPerSecond must be a finite number >= 0, but was -1.0");
    assertThatIllegalArgumentException().isThrownBy(() -> new HotKey("k", Double.NaN));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new HotKey("k", Double.POSITIVE_INFINITY));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HotKey.merge(List.of(), -1))
        .withMessage("limit must be >= 0, but was -1");
  }
}
