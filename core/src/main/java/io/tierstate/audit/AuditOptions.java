package io.tierstate.audit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How the {@link ConsistencyAuditor} samples: its rate, the propagation window a stale entry is
 * given before it counts as inconsistent, the verifier time limit, and the window its consistency
 * ratio covers. Derive changed copies from {@link #defaults()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AuditOptions {
  /** Samples (verifier calls, re-checks included) per second per node: 20. */
  public static final int DEFAULT_SAMPLES_PER_SECOND = 20;

  /**
   * How long a stale entry is given to be invalidated before it counts as inconsistent: 5 s, well
   * above the invalidation log's delivery (milliseconds) and a change stream's usual lag.
   */
  public static final Duration DEFAULT_PROPAGATION_WINDOW = Duration.ofSeconds(5);

  /** How long one verifier call may take before the sample counts as an error: 1 s. */
  public static final Duration DEFAULT_VERIFIER_TIMEOUT = Duration.ofSeconds(1);

  /** The window the consistency ratio and nines cover: 10 minutes. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

  /** How long the {@code consistency} health check stays degraded after an inconsistency: 5 min. */
  public static final Duration DEFAULT_ALERT_HOLD = Duration.ofMinutes(5);

  /** Stale samples waiting for their re-check, at most: 1,000. */
  public static final int DEFAULT_MAX_PENDING = 1_000;

  private static final AuditOptions DEFAULTS =
      new AuditOptions(
          DEFAULT_SAMPLES_PER_SECOND,
          DEFAULT_PROPAGATION_WINDOW,
          DEFAULT_VERIFIER_TIMEOUT,
          DEFAULT_WINDOW,
          DEFAULT_ALERT_HOLD,
          DEFAULT_MAX_PENDING);

  private final int samplesPerSecond;
  private final Duration propagationWindow;
  private final Duration verifierTimeout;
  private final Duration window;
  private final Duration alertHold;
  private final int maxPending;

  private AuditOptions(
      int samplesPerSecond,
      Duration propagationWindow,
      Duration verifierTimeout,
      Duration window,
      Duration alertHold,
      int maxPending) {
    this.samplesPerSecond = samplesPerSecond;
    this.propagationWindow = propagationWindow;
    this.verifierTimeout = verifierTimeout;
    this.window = window;
    this.alertHold = alertHold;
    this.maxPending = maxPending;
  }

  /** The defaults: 20 samples/s, a 5 s propagation window, 1 s per verifier, a 10 min window. */
  public static AuditOptions defaults() {
    return DEFAULTS;
  }

  /**
   * These options with another rate.
   *
   * @throws IllegalArgumentException if {@code samplesPerSecond} is not in [1, 1000]
   */
  public AuditOptions samplesPerSecond(int samplesPerSecond) {
    if (samplesPerSecond < 1 || samplesPerSecond > 1_000) {
      throw new IllegalArgumentException(
          "samplesPerSecond must be 1 to 1000, but was " + samplesPerSecond);
    }
    return new AuditOptions(
        samplesPerSecond, propagationWindow, verifierTimeout, window, alertHold, maxPending);
  }

  /**
   * These options with another propagation window.
   *
   * @throws IllegalArgumentException if {@code window} is not positive
   */
  public AuditOptions propagationWindow(Duration window) {
    return new AuditOptions(
        samplesPerSecond,
        positive("propagationWindow", window),
        verifierTimeout,
        this.window,
        alertHold,
        maxPending);
  }

  /**
   * These options with another verifier time limit.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public AuditOptions verifierTimeout(Duration timeout) {
    return new AuditOptions(
        samplesPerSecond,
        propagationWindow,
        positive("verifierTimeout", timeout),
        window,
        alertHold,
        maxPending);
  }

  /**
   * These options with another window for the consistency ratio and nines.
   *
   * @throws IllegalArgumentException if {@code window} is under a second or over a day
   */
  public AuditOptions window(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("window must be 1 s to 1 day, but was " + window);
    }
    return new AuditOptions(
        samplesPerSecond, propagationWindow, verifierTimeout, window, alertHold, maxPending);
  }

  /**
   * These options with another time the {@code consistency} health check stays degraded after a
   * confirmed inconsistency.
   *
   * @throws IllegalArgumentException if {@code hold} is not positive
   */
  public AuditOptions alertHold(Duration hold) {
    return new AuditOptions(
        samplesPerSecond,
        propagationWindow,
        verifierTimeout,
        window,
        positive("alertHold", hold),
        maxPending);
  }

  /**
   * These options with another bound on stale samples waiting for their re-check.
   *
   * @throws IllegalArgumentException if {@code maxPending} is not in [1, 100000]
   */
  public AuditOptions maxPending(int maxPending) {
    if (maxPending < 1 || maxPending > 100_000) {
      throw new IllegalArgumentException("maxPending must be 1 to 100000, but was " + maxPending);
    }
    return new AuditOptions(
        samplesPerSecond, propagationWindow, verifierTimeout, window, alertHold, maxPending);
  }

  /** Samples per second per node, re-checks included. */
  public int samplesPerSecond() {
    return samplesPerSecond;
  }

  /** How long a stale entry is given before it counts as inconsistent. */
  public Duration propagationWindow() {
    return propagationWindow;
  }

  /** How long a verifier call may take. */
  public Duration verifierTimeout() {
    return verifierTimeout;
  }

  /** The window the consistency ratio and nines cover. */
  public Duration window() {
    return window;
  }

  /** How long the {@code consistency} health check stays degraded after an inconsistency. */
  public Duration alertHold() {
    return alertHold;
  }

  /** Stale samples waiting for their re-check, at most. */
  public int maxPending() {
    return maxPending;
  }

  /**
   * The documented bound on how long an entry of an audited family can stay stale in one tier
   * before the auditor confirms (and repairs) it: a full pass of that tier's cursor, then the
   * propagation window, then the re-check. Each tier gets every other sample (re-checks first), so
   * a pass over {@code entriesPerTier} entries takes {@code 2 × entries} ticks, and a tick lasts
   * {@code 1/samplesPerSecond} plus the verifier's time:
   *
   * <pre>propagationWindow + (2 × entriesPerTier + 2) × (1 s / samplesPerSecond + verifierTime)
   * </pre>
   *
   * <p>It holds while fewer than {@link #maxPending()} samples wait and the L1 cursor finds an
   * audited key among {@code 256} walked; an L2 pass also reads SCAN pages over keys of other
   * families (see docs/consistency-audit.md).
   *
   * @param entriesPerTier entries of the audited families in the larger tier (L1 of this node, or
   *     L2)
   * @param verifierTime what one verifier call takes (at worst {@link #verifierTimeout()})
   */
  public Duration detectionBound(long entriesPerTier, Duration verifierTime) {
    long tickNanos = TimeUnit.SECONDS.toNanos(1) / samplesPerSecond + verifierTime.toNanos();
    return propagationWindow.plusNanos((2 * Math.max(0, entriesPerTier) + 2) * tickNanos);
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return "AuditOptions[samplesPerSecond="
        + samplesPerSecond
        + ", propagationWindow="
        + propagationWindow
        + ", verifierTimeout="
        + verifierTimeout
        + ", window="
        + window
        + ", alertHold="
        + alertHold
        + ", maxPending="
        + maxPending
        + "]";
  }
}
