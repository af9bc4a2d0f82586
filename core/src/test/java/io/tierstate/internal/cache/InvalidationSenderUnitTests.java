package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.codec.TypeRef;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Invalidations held back while Redis was unreachable, and their replay. */
class InvalidationSenderUnitTests {
  private static final long HOUR = Duration.ofHours(1).toNanos();

  private final CacheMeters meters = new CacheMeters(new SimpleMeterRegistry());
  private final L1 l1 = new L1(1_000, Duration.ofHours(1), Duration.ofSeconds(2), meters);
  private final FakeL2 l2 = new FakeL2();
  private final InvalidationSender sender =
      new InvalidationSender(l1, l2, meters, new InvalidationEvents(meters), "this-node");

  private void fill(String key, String value) {
    L1Entry entry =
        new L1Entry(
            value,
            TypeRef.of(String.class),
            System.nanoTime(),
            System.nanoTime() + HOUR,
            System.nanoTime() + HOUR,
            System.nanoTime() + HOUR,
            HOUR,
            new String[0],
            null);
    assertThat(l1.putIfUnchanged(key, entry, l1.stamp(key))).isTrue();
  }

  /**
   * Found by the fault suite (one node partitioned from Redis under load): after the partition
   * healed and before its held-back delete was replayed, the node read the old value from L2 into
   * its L1; the replay removed it from L2 and logged it, but the node's listener skips its own
   * entries, so its L1 kept the old value until its TTL.
   */
  @Test
  void theReplayAlsoDropsWhatThisNodeReadIntoL1BeforeIt() {
    l2.unavailable = true;
    sender.invalidateKeys("k");
    assertThat(sender.hasPending()).isTrue();

    l2.unavailable = false;
    fill("k", "old value read from L2 before the replay");
    sender.replayPending();

    assertThat(sender.hasPending()).isFalse();
    assertThat(l2.log).contains("k:k");
    assertThat(l1.get("k", System.nanoTime())).isNull();
  }

  @Test
  void aReplayThatFailsKeepsEverythingPendingAndTheL1EntryAlone() {
    l2.unavailable = true;
    sender.invalidateKeys("k");
    fill("k", "loaded from the source of truth while Redis was down");

    sender.replayPending();

    assertThat(sender.hasPending()).isTrue();
    assertThat(l1.get("k", System.nanoTime())).isNotNull();
  }
}
