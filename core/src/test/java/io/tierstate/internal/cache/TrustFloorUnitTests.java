package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trust floor: L2 entries created before a possible loss of Redis writes read as misses, and
 * the floor only goes up (defect 3 and 4 of docs/reliability.md).
 */
class TrustFloorUnitTests {
  private static final TypeRef<String> STRING = TypeRef.of(String.class);
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));

  private final CacheMeters meters = new CacheMeters(new SimpleMeterRegistry());
  private final TrustFloor floor = new TrustFloor();
  private final EntryCodec entries =
      new EntryCodec(
          TierstateConfig.builder().build(),
          JacksonCodec.create(),
          meters,
          new Regions(meters.registry, 4),
          floor);

  @Test
  void anEntryWrittenBeforeTheFloorReadsAsAMissAndIsCounted() {
    byte[] before = entries.prepare("k", "old", MINUTE, STRING).bytes();
    assertThat(entries.decodeEnvelope("k", before)).as("no floor yet").isNotNull();

    floor.adopt(TrustFloor.raisedAt(System.currentTimeMillis()));

    assertThat(entries.decodeEnvelope("k", before)).isNull();
    assertThat(meters.registry.get(MeterNames.L2_UNTRUSTED).counter().count()).isEqualTo(1.0);
  }

  @Test
  void anEntryWrittenAfterTheFloorIsServed() {
    floor.adopt(System.currentTimeMillis() - 1);

    byte[] after = entries.prepare("k", "new", MINUTE, STRING).bytes();

    Envelope envelope = entries.decodeEnvelope("k", after);
    assertThat(envelope).isNotNull();
    assertThat(entries.decodeValue("k", envelope, STRING, null).value()).isEqualTo("new");
  }

  @Test
  void aValueSetAfterThisNodeTookTheFloorIsServedEvenWithinTheClockSkewAllowance()
      throws Exception {
    floor.adopt(TrustFloor.raisedAt(System.currentTimeMillis())); // a second ahead of the clock
    long adopted = System.currentTimeMillis(); // at or after the adoption's own reading
    while (System.currentTimeMillis() <= adopted) {
      Thread.onSpinWait(); // the set's clock reading is then strictly after the adoption
    }

    byte[] set = entries.prepare("k", "set after the failover", MINUTE, STRING).bytes();

    Envelope envelope = entries.decodeEnvelope("k", set);
    assertThat(envelope).as("stamped at the floor, not read as a miss").isNotNull();
    assertThat(envelope.createdAtMillis()).isEqualTo(floor.millis());
  }

  @Test
  void aLoadedValueIsAsOldAsItsSourceReadSoALoadThatRacedTheLossIsBelowTheFloor() {
    long readAt = System.currentTimeMillis();
    floor.adopt(readAt + 1); // the loss was detected while the loader ran

    EntryCodec.Prepared loaded = entries.prepareLoaded("k", "v", MINUTE, STRING, readAt);

    assertThat(loaded).isNotNull();
    assertThat(entries.decodeEnvelope("k", loaded.bytes())).isNull();
  }

  @Test
  void theFloorNeverGoesDown() {
    assertThat(floor.adopt(2_000)).isTrue();
    assertThat(floor.adopt(1_000)).isFalse();
    assertThat(floor.adopt(2_000)).isFalse();
    assertThat(floor.millis()).isEqualTo(2_000);
    assertThat(floor.trusts(1_999)).isFalse();
    assertThat(floor.trusts(2_000)).isTrue();
  }

  @Test
  void theRaisedFloorCoversWritersWhoseClocksRunAheadByTheAllowance() {
    long now = 1_000_000;
    long raised = TrustFloor.raisedAt(now);

    assertThat(raised - now).isEqualTo(TrustFloor.CLOCK_SKEW_ALLOWANCE.toMillis());
  }

  @Test
  void aFloorAnotherNodeRaisedForTheSameFailoverDoesNotClearL1Again() {
    long local = TrustFloor.raisedAt(1_000_000);

    assertThat(TrustFloor.isNewLoss(local, local + 300)).as("the same failover").isFalse();
    assertThat(TrustFloor.isNewLoss(local, local + 60_000)).as("a loss unseen here").isTrue();
    assertThat(TrustFloor.isNewLoss(0, local)).as("a node that saw nothing").isTrue();
  }

  @Test
  void aClusterMasterThatWasNotOneBeforeIsAReplacement() {
    assertThat(InvalidationLog.replacedMaster(Set.of("a", "b"), Set.of("a", "c"))).isTrue();
    assertThat(InvalidationLog.replacedMaster(Set.of("a", "b"), Set.of("a", "b"))).isFalse();
    assertThat(InvalidationLog.replacedMaster(Set.of("a", "b"), Set.of("a")))
        .as("a master gone, not yet replaced")
        .isFalse();
    assertThat(InvalidationLog.replacedMaster(Set.of(), Set.of("a")))
        .as("the first look")
        .isFalse();
  }

  @Test
  void anotherOwnerOfTheLogSlotIsAFailoverAndANewRunIdARestart() {
    InvalidationLog.StreamPosition same = new InvalidationLog.StreamPosition(true, "100-0", "0-0");

    assertThat(InvalidationLog.lostSince("100-0", "node-a/run1", "node-b/run2", same))
        .isEqualTo("log-owner-changed");
    assertThat(InvalidationLog.lostSince("100-0", "node-a/run1", "node-a/run2", same))
        .isEqualTo("redis-restarted");
    assertThat(InvalidationLog.lostSince("100-0", "node-a/run1", "node-a/run1", same)).isNull();
  }

  @Test
  void theFloorSharesTheLogsClusterSlotSoItFailsOverWithIt() {
    assertThat(InvalidationLog.floorKey("ts")).startsWith("ts:");
    assertThat(SlotHash.getSlot(InvalidationLog.floorKey("ts")))
        .isEqualTo(SlotHash.getSlot(InvalidationLog.streamKey("ts")));
  }
}
