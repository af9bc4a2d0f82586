package io.tierstate.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tierstate.audit.AuditOptions;
import io.tierstate.internal.audit.Ledger.Outcome;
import io.tierstate.internal.audit.Ledger.Tier;
import io.tierstate.internal.audit.Ledger.Verdict;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The auditor's classification, on a fake clock, without servers. */
class LedgerUnitTests {
  private static final AuditOptions OPTIONS =
      AuditOptions.defaults()
          .propagationWindow(Duration.ofSeconds(2))
          .window(Duration.ofMinutes(1));

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Ledger ledger = new Ledger(clock::get, OPTIONS);

  private void advance(Duration by) {
    clock.addAndGet(by.toNanos());
  }

  @Test
  void aMatchingSampleIsConsistentAtOnce() {
    assertThat(ledger.firstLook("user:1", Tier.L1, "v1", Verdict.MATCHES, OPTIONS))
        .contains(Outcome.CONSISTENT);
    assertThat(ledger.pending()).isZero();
    assertThat(ledger.window().ratio()).isEqualTo(1.0);
  }

  @Test
  void aStaleSampleWaitsForTheWholePropagationWindowBeforeItsRecheck() {
    assertThat(ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS)).isEmpty();
    assertThat(ledger.pending()).isEqualTo(1);
    advance(Duration.ofMillis(1_999));
    assertThat(ledger.due()).isNull();
    advance(Duration.ofMillis(1));
    Ledger.Pending due = ledger.due();
    assertThat(due).isNotNull();
    assertThat(due.key()).isEqualTo("user:1");
    assertThat(ledger.pending()).isZero();
    assertThat(ledger.window().total()).as("undecided until the re-check").isZero();
  }

  @Test
  void aStaleEntryGoneByItsRecheckWasStaleWithinTheWindow() {
    ledger.firstLook("user:1", Tier.L2, "v1", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    Ledger.Recheck result =
        ledger.recheck(ledger.due(), Optional.empty(), Verdict.MATCHES, OPTIONS);
    assertThat(result.outcome()).isEqualTo(Outcome.STALE_IN_WINDOW);
    assertThat(ledger.window().inconsistent()).isZero();
    assertThat(ledger.total(Outcome.STALE_IN_WINDOW)).isEqualTo(1);
  }

  @Test
  void theSameValueStillStaleAfterTheWindowIsInconsistent() {
    ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(3));
    Ledger.Recheck result = ledger.recheck(ledger.due(), Optional.of("v1"), Verdict.STALE, OPTIONS);
    assertThat(result.outcome()).isEqualTo(Outcome.INCONSISTENT);
    assertThat(ledger.total(Outcome.INCONSISTENT)).isEqualTo(1);
    assertThat(ledger.window().ratio()).isZero();
  }

  @Test
  void theSameValueMatchingAtItsRecheckWasStaleWithinTheWindow() {
    ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    assertThat(ledger.recheck(ledger.due(), Optional.of("v1"), Verdict.MATCHES, OPTIONS).outcome())
        .isEqualTo(Outcome.STALE_IN_WINDOW);
  }

  @Test
  void aReplacedValueStillStaleGetsAWindowOfItsOwnInsteadOfCountingAsInconsistent() {
    ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    Ledger.Recheck result = ledger.recheck(ledger.due(), Optional.of("v2"), Verdict.STALE, OPTIONS);
    assertThat(result.outcome()).isEqualTo(Outcome.STALE_IN_WINDOW);
    assertThat(result.started()).isNotNull();
    assertThat(result.started().value()).isEqualTo("v2");
    assertThat(ledger.pending()).isEqualTo(1);
    advance(Duration.ofSeconds(1));
    assertThat(ledger.due()).as("the new value's window started at the re-check").isNull();
    advance(Duration.ofSeconds(1));
    assertThat(ledger.recheck(ledger.due(), Optional.of("v2"), Verdict.STALE, OPTIONS).outcome())
        .isEqualTo(Outcome.INCONSISTENT);
  }

  @Test
  void errorsAreCountedButLeftOutOfTheRatio() {
    assertThat(ledger.firstLook("user:1", Tier.L1, "v1", Verdict.ERROR, OPTIONS))
        .contains(Outcome.ERROR);
    ledger.firstLook("user:2", Tier.L1, "v2", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    assertThat(ledger.recheck(ledger.due(), Optional.of("v2"), Verdict.ERROR, OPTIONS).outcome())
        .isEqualTo(Outcome.ERROR);
    assertThat(ledger.total(Outcome.ERROR)).isEqualTo(2);
    assertThat(ledger.window().total()).isZero();
    assertThat(ledger.window().ratio()).isNaN();
    assertThat(ledger.window().nines()).isNaN();
  }

  @Test
  void oneEntryWaitingIsOneSampleNotOnePerLook() {
    ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS);
    assertThat(ledger.firstLook("user:1", Tier.L1, "v1", Verdict.STALE, OPTIONS)).isEmpty();
    assertThat(ledger.pending()).isEqualTo(1);
    ledger.firstLook("user:1", Tier.L2, "v1", Verdict.STALE, OPTIONS);
    assertThat(ledger.pending()).as("the other tier is another entry").isEqualTo(2);
  }

  @Test
  void stalesBeyondTheBoundOnWaitingSamplesAreErrorsNotSilentlyConsistent() {
    AuditOptions two = OPTIONS.maxPending(2);
    ledger.firstLook("a", Tier.L1, "1", Verdict.STALE, two);
    ledger.firstLook("b", Tier.L1, "1", Verdict.STALE, two);
    assertThat(ledger.firstLook("c", Tier.L1, "1", Verdict.STALE, two)).contains(Outcome.ERROR);
    assertThat(ledger.pending()).isEqualTo(2);
  }

  @Test
  void ninesFollowTheInconsistentFractionAndCleanSamplesCannotClaimMoreThanTheyShow() {
    for (int i = 0; i < 999; i++) {
      ledger.firstLook("k" + i, Tier.L1, "v", Verdict.MATCHES, OPTIONS);
    }
    assertThat(ledger.window().nines())
        .as("999 clean samples show 3 nines")
        .isCloseTo(3.0, within(1e-9));
    ledger.firstLook("bad", Tier.L1, "v", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    ledger.recheck(ledger.due(), Optional.of("v"), Verdict.STALE, OPTIONS);
    Ledger.WindowCounts window = ledger.window();
    assertThat(window.total()).isEqualTo(1_000);
    assertThat(window.ratio()).isEqualTo(0.999);
    assertThat(window.nines()).isCloseTo(-Math.log10(2.0 / 1001), within(1e-9));
  }

  @Test
  void samplesLeaveTheWindowOnceItHasPassed() {
    ledger.firstLook("bad", Tier.L1, "v", Verdict.STALE, OPTIONS);
    advance(Duration.ofSeconds(2));
    ledger.recheck(ledger.due(), Optional.of("v"), Verdict.STALE, OPTIONS);
    ledger.firstLook("good", Tier.L1, "v", Verdict.MATCHES, OPTIONS);
    assertThat(ledger.window().inconsistent()).isEqualTo(1);
    advance(Duration.ofSeconds(30));
    ledger.firstLook("good2", Tier.L1, "v", Verdict.MATCHES, OPTIONS);
    assertThat(ledger.window().total()).isEqualTo(3);
    advance(Duration.ofSeconds(31));
    assertThat(ledger.window().inconsistent()).as("a minute later").isZero();
    assertThat(ledger.window().total()).isEqualTo(1);
    assertThat(ledger.total(Outcome.INCONSISTENT)).as("totals since the start stay").isEqualTo(1);
  }
}
