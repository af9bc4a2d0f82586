package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TieredCache#inspect} against a real Redis, from the node that wrote and from another. */
class KeyInspectionIntegrationTests {
  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aKeyWrittenWithTagsAndCompressionIsSeenOnBothTiersHereAndInRedisOnlyElsewhere() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Instant before = Instant.now().minusMillis(1);
    a.cache()
        .set(
            "ticket:42",
            "x".repeat(4000),
            CacheOptions.ttl(Duration.ofMinutes(5)).tags("tickets", "ticket:42").compress());

    KeyInspection here = a.cache().inspect("ticket:42");
    assertThat(here.inL1()).isTrue();
    assertThat(here.inL2()).isTrue();
    assertThat(here.cached()).isTrue();
    assertThat(here.l2Ttl())
        .hasValueSatisfying(
            ttl -> assertThat(ttl).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5)));
    assertThat(here.compressed()).isTrue();
    assertThat(here.sizeBytes()).isPositive().isLessThan(4000); // compressed
    assertThat(here.absent()).isFalse();
    assertThat(here.corrupt()).isFalse();
    assertThat(here.writtenAt()).hasValueSatisfying(t -> assertThat(t).isAfter(before));
    assertThat(here.fence()).isEqualTo(1);
    assertThat(here.tags()).containsExactlyInAnyOrder("tickets", "ticket:42");

    KeyInspection there = b.cache().inspect("ticket:42");
    assertThat(there.inL1()).as("b never read it").isFalse();
    assertThat(there.inL2()).isTrue();
    assertThat(there.sizeBytes()).isEqualTo(here.sizeBytes());
    assertThat(there.tags()).as("Redis has no index from a key to its tags").isEmpty();

    a.cache().set("ticket:42", "small", CacheOptions.ttl(Duration.ofMinutes(5)));
    KeyInspection rewritten = b.cache().inspect("ticket:42");
    assertThat(rewritten.compressed()).isFalse();
    assertThat(rewritten.fence()).isEqualTo(2);
  }

  @Test
  void anEntrysRegionIsReportedFromL1HereAndFromRedisOnANodeThatKnowsTheRegion() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    CacheOptions inTickets = CacheOptions.ttl(Duration.ofMinutes(5)).region("tickets");
    a.cache().set("ticket:7", "seven", inTickets);
    a.cache().set("plain:7", "seven", CacheOptions.ttl(Duration.ofMinutes(5)));

    assertThat(a.cache().inspect("ticket:7").region()).as("from a's L1 entry").hasValue("tickets");
    assertThat(a.cache().inspect("plain:7").region()).as("an entry of no region").isEmpty();

    KeyInspection unknown = b.cache().inspect("ticket:7");
    assertThat(unknown.inL1()).isFalse();
    assertThat(unknown.region())
        .as("b has not used the region: it cannot know which tag set to ask")
        .isEmpty();

    b.cache().set("ticket:8", "eight", inTickets); // b now knows the region "tickets"
    KeyInspection known = b.cache().inspect("ticket:7");
    assertThat(known.inL1()).as("inspecting reads nothing into L1").isFalse();
    assertThat(known.region()).as("from the region's tag set in Redis").hasValue("tickets");
    assertThat(b.cache().inspect("plain:7").region()).isEmpty();

    a.invalidator().invalidateKeys("ticket:7");
    assertThat(b.cache().inspect("ticket:7").region())
        .as("a key gone from Redis has no region, whatever a tag set still lists")
        .isEmpty();
  }

  @Test
  void inspectingReadsNothingIntoL1AndCountsNoRead() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    a.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    long reads = reads(b);

    assertThat(b.cache().inspect("k").inL1()).isFalse();
    assertThat(b.cache().inspect("k").inL1()).as("an inspection is no read-through").isFalse();
    assertThat(reads(b)).as("no read counted on any tier").isEqualTo(reads);
  }

  private static long reads(Tierstate node) {
    var s = node.metrics().snapshot();
    return s.l1Hits() + s.l1Misses() + s.l2Hits() + s.l2Misses();
  }

  @Test
  void aKeyNobodyCachedOrThatWasInvalidatedIsNowhere() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    assertThat(a.cache().inspect("nothing:here").cached()).isFalse();
    assertThat(a.cache().inspect("nothing:here").l2Ttl()).isEmpty();

    a.cache().set("gone", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    // b's read may fill its L1 before a's log entry for the write arrives and drops the copy
    Await.until(
        "b holds it in L1",
        () -> b.cache().get("gone", String.class).isPresent() && b.cache().inspect("gone").inL1());

    a.invalidator().invalidateKeys("gone");

    KeyInspection after = a.cache().inspect("gone");
    assertThat(after.inL1()).isFalse();
    assertThat(after.inL2()).isFalse();
    assertThat(after.sizeBytes()).isZero();
    assertThat(after.fence()).as("the delete moved the fence").isEqualTo(2);
    Await.until("b dropped its L1 copy", () -> !b.cache().inspect("gone").inL1());
  }

  @Test
  void bytesThatAreNotAnEntryAreReportedCorrupt() {
    Tierstate a = nodes.start("a");
    nodes.redis().command("SET", nodes.namespace() + ":{junk}", "not an entry");
    KeyInspection junk = a.cache().inspect("junk");
    assertThat(junk.inL2()).isTrue();
    assertThat(junk.corrupt()).isTrue();
    assertThat(junk.writtenAt()).isEmpty();
  }

  @Test
  void anInvalidKeyIsRefusedNamingTheProblem() {
    Tierstate a = nodes.start("a");
    assertThatThrownBy(() -> a.cache().inspect("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
  }
}
