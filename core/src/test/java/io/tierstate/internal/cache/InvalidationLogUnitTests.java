package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.internal.cache.InvalidationLog.StreamPosition;
import org.junit.jupiter.api.Test;

/** How a reconnecting node decides whether it may have missed invalidations. */
class InvalidationLogUnitTests {

  @Test
  void aLogThatContinuesPastThePositionIsReplayed() {
    assertThat(
            InvalidationLog.lostSince(
                "100-0", "run", "run", new StreamPosition(true, "200-3", "50-0")))
        .isNull();
    assertThat(
            InvalidationLog.lostSince(
                "100-0", "run", "run", new StreamPosition(true, "100-0", "100-0")))
        .isNull();
  }

  @Test
  void trimmingPastThePositionIsLoss() {
    assertThat(
            InvalidationLog.lostSince(
                "100-0", "run", "run", new StreamPosition(true, "300-0", "100-1")))
        .isEqualTo("log-trimmed");
  }

  @Test
  void aRestartedServerIsLoss() {
    assertThat(
            InvalidationLog.lostSince(
                "100-0", "run-1", "run-2", new StreamPosition(true, "300-0", "0-0")))
        .isEqualTo("redis-restarted");
  }

  @Test
  void aMissingOrRewoundLogIsLoss() {
    assertThat(
            InvalidationLog.lostSince("100-0", null, null, new StreamPosition(false, "0-0", "0-0")))
        .isEqualTo("log-missing");
    assertThat(
            InvalidationLog.lostSince("100-0", null, null, new StreamPosition(true, "99-5", "0-0")))
        .isEqualTo("log-went-back");
    // a node that never saw an entry loses nothing when the log does not exist yet
    assertThat(
            InvalidationLog.lostSince("0-0", null, null, new StreamPosition(false, "0-0", "0-0")))
        .isNull();
  }

  @Test
  void idsCompareNumericallyNotAsText() {
    assertThat(InvalidationLog.compareIds("9-0", "10-0")).isNegative();
    assertThat(InvalidationLog.compareIds("10-2", "10-10")).isNegative();
    assertThat(InvalidationLog.compareIds("10-2", "10-2")).isZero();
  }

  @Test
  void keyListsSplitOnSpaces() {
    assertThat(LogEntry.split("a b  c")).containsExactly("a", "b", "c");
    assertThat(LogEntry.split("")).isEmpty();
  }
}
