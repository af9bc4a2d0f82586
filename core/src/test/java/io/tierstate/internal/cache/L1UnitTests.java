package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.codec.TypeRef;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * L1's coherence rules on their own: a fill that started before an invalidation never lands after
 * it, and entries are trusted only briefly while invalidations do not flow.
 */
class L1UnitTests {
  private static final Duration DEGRADED_TTL = Duration.ofSeconds(2);
  private static final long HOUR = Duration.ofHours(1).toNanos();

  private final L1 l1 =
      new L1(1_000, Duration.ofHours(1), DEGRADED_TTL, new CacheMeters(new SimpleMeterRegistry()));

  private static L1Entry entry(String value, long insertedNanos, String... tags) {
    return new L1Entry(
        value,
        TypeRef.of(String.class),
        insertedNanos,
        insertedNanos + HOUR,
        insertedNanos + HOUR,
        insertedNanos + HOUR,
        HOUR,
        tags,
        null);
  }

  private boolean fill(String key, String value) {
    return l1.putIfUnchanged(key, entry(value, System.nanoTime()), l1.stamp(key));
  }

  private Object valueOf(String key) {
    L1Entry found = l1.get(key, System.nanoTime());
    return found == null ? "(none)" : found.value;
  }

  @Test
  void aFillInstallsItsValueWhenNothingChangedSinceItsStamp() {
    assertThat(fill("k", "v")).isTrue();
    assertThat(valueOf("k")).isEqualTo("v");
  }

  @Test
  void aFillThatStartedBeforeAnInvalidationOfItsKeyDoesNotLand() {
    L1.Stamp beforeRead = l1.stamp("k");
    l1.invalidate("k"); // a write elsewhere, while the fill read the old value from L2

    assertThat(l1.putIfUnchanged("k", entry("old", System.nanoTime()), beforeRead)).isFalse();
    assertThat(valueOf("k")).isEqualTo("(none)");
    assertThat(fill("k", "new")).as("a fill that starts after it lands").isTrue();
  }

  @Test
  void aPatternInvalidationOrAClearFencesEveryFillUnderWay() {
    L1.Stamp a = l1.stamp("a");
    L1.Stamp b = l1.stamp("b");
    l1.invalidateIf(key -> key.equals("a"));

    assertThat(l1.putIfUnchanged("a", entry("old", System.nanoTime()), a)).isFalse();
    assertThat(l1.putIfUnchanged("b", entry("old", System.nanoTime()), b))
        .as("a pattern's keys are unknown in advance, so every fill is fenced")
        .isFalse();

    fill("c", "v");
    L1.Stamp c = l1.stamp("c");
    l1.clear();
    assertThat(valueOf("c")).isEqualTo("(none)");
    assertThat(l1.putIfUnchanged("c", entry("old", System.nanoTime()), c)).isFalse();
  }

  @Test
  void invalidatingTagsDropsTheEntriesCarryingAnyOfThemAndNoOthers() {
    long now = System.nanoTime();
    l1.putIfUnchanged("u1", entry("1", now, "users"), l1.stamp("u1"));
    l1.putIfUnchanged("r1", entry("2", now, "roles", "admin"), l1.stamp("r1"));
    l1.putIfUnchanged("x", entry("3", now), l1.stamp("x"));

    l1.invalidateTagged(new String[] {"admin", "users"});

    assertThat(valueOf("u1")).isEqualTo("(none)");
    assertThat(valueOf("r1")).isEqualTo("(none)");
    assertThat(valueOf("x")).isEqualTo("3");
  }

  @Test
  void whileInvalidationsDoNotFlowEntriesLiveAtMostTheDegradedTtl() {
    long start = System.nanoTime();
    l1.putIfUnchanged(
        "old", entry("inserted long before the outage", start - HOUR / 2), l1.stamp("old"));
    l1.distrust(start);
    l1.putIfUnchanged(
        "new", entry("inserted during the outage", start + 500_000_000L), l1.stamp("new"));
    long degraded = DEGRADED_TTL.toNanos();

    assertThat(l1.trusted()).isFalse();
    assertThat(l1.get("old", start + degraded - 1)).isNotNull();
    assertThat(l1.get("old", start + degraded + 1))
        .as("counted from the start of the outage")
        .isNull();
    assertThat(l1.get("new", start + degraded + 1)).as("counted from its insertion").isNotNull();
    assertThat(l1.get("new", start + 500_000_000L + degraded + 1)).isNull();

    l1.trust();
    assertThat(l1.get("old", start + degraded + 1))
        .as("trusted again once invalidations flow")
        .isNotNull();
  }

  @Test
  void aSecondDistrustKeepsTheStartOfTheOutage() {
    long start = System.nanoTime();
    l1.putIfUnchanged("k", entry("v", start - HOUR / 2), l1.stamp("k"));
    l1.distrust(start);
    l1.distrust(start + DEGRADED_TTL.toNanos());

    assertThat(l1.get("k", start + DEGRADED_TTL.toNanos() + 1)).isNull();
  }

  @Test
  void aMaximumSizeOfZeroDisablesL1() {
    L1 disabled =
        new L1(0, Duration.ofHours(1), DEGRADED_TTL, new CacheMeters(new SimpleMeterRegistry()));

    assertThat(disabled.enabled()).isFalse();
    assertThat(disabled.putIfUnchanged("k", entry("v", System.nanoTime()), disabled.stamp("k")))
        .isFalse();
    assertThat(disabled.get("k", System.nanoTime())).isNull();
  }
}
