package io.tierstate.internal.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Stops callers from waiting for a Redis timeout on every call while Redis is down. After {@code
 * failureThreshold} consecutive failures the breaker opens: calls are refused at once for {@code
 * openDuration}; then one probe call is let through (half-open), and its outcome closes or reopens
 * the breaker.
 *
 * <p>Thread-safe and lock-free; {@link #allowRequest()} costs one volatile read when closed.
 */
public final class CircuitBreaker {

  /** The breaker's states. */
  public enum State {
    /** Calls flow. */
    CLOSED,
    /** Calls are refused until the open period ends. */
    OPEN,
    /** One probe call is in flight; others are refused. */
    HALF_OPEN
  }

  private final int failureThreshold;
  private final long openNanos;
  private final LongSupplier nanoClock;
  private final AtomicReference<State> state = new AtomicReference<>(State.CLOSED);
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong openedAt = new AtomicLong();
  private final AtomicLong timesOpened = new AtomicLong();

  /**
   * A breaker that opens after {@code failureThreshold} consecutive failures for {@code
   * openDuration}.
   *
   * @throws IllegalArgumentException if the threshold is below 1 or the duration is not positive
   */
  public CircuitBreaker(int failureThreshold, Duration openDuration) {
    this(failureThreshold, openDuration, System::nanoTime);
  }

  CircuitBreaker(int failureThreshold, Duration openDuration, LongSupplier nanoClock) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "failureThreshold must be >= 1, but was " + failureThreshold);
    }
    if (openDuration.isNegative() || openDuration.isZero()) {
      throw new IllegalArgumentException("openDuration must be positive, but was " + openDuration);
    }
    this.failureThreshold = failureThreshold;
    this.openNanos = openDuration.toNanos();
    this.nanoClock = nanoClock;
  }

  /**
   * Whether a call may go to Redis now; in the open state, the first call after the open period
   * becomes the probe.
   */
  public boolean allowRequest() {
    State current = state.get();
    if (current == State.CLOSED) {
      return true;
    }
    if (current == State.OPEN && nanoClock.getAsLong() - openedAt.get() >= openNanos) {
      return state.compareAndSet(State.OPEN, State.HALF_OPEN);
    }
    return false;
  }

  /** Records a call that succeeded: the breaker closes. */
  public void onSuccess() {
    consecutiveFailures.set(0);
    if (state.get() != State.CLOSED) {
      state.set(State.CLOSED);
    }
  }

  /** Records a call that failed because Redis was unreachable or slow. */
  public void onFailure() {
    State current = state.get();
    if (current == State.HALF_OPEN
        || (current == State.CLOSED && consecutiveFailures.incrementAndGet() >= failureThreshold)) {
      open();
    }
  }

  /**
   * Records a call that ended without learning anything about Redis (its thread was interrupted):
   * if the breaker was waiting for a probe's outcome, it opens again and the next call probes.
   */
  public void abandonProbe() {
    state.compareAndSet(State.HALF_OPEN, State.OPEN);
  }

  /** Opens the breaker at once, for example when the connection reports it is down. */
  public void forceOpen() {
    if (state.get() != State.OPEN) {
      open();
    }
  }

  private void open() {
    openedAt.set(nanoClock.getAsLong());
    state.set(State.OPEN);
    consecutiveFailures.set(0);
    timesOpened.incrementAndGet();
  }

  /** The current state. */
  public State state() {
    return state.get();
  }

  /** How many times the breaker has opened since it was created. */
  public long timesOpened() {
    return timesOpened.get();
  }
}
