package io.tierstate.internal.redis;

import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How long a background worker with a dedicated connection (the invalidation listener, a
 * write-behind worker) waits before connecting again after Redis failed: from {@link #MIN}, growing
 * exponentially with Lettuce's equal-jitter {@link Delay} up to {@link #MAX}. The jitter spreads
 * the reconnects of many nodes after Redis comes back; the low ceiling keeps a node degraded for at
 * most about a second once it is back.
 *
 * <p>Not thread-safe: one per worker thread. Internal to Tierstate.
 */
public final class ReconnectBackoff {
  /** The first wait after a failure. */
  public static final Duration MIN = Duration.ofMillis(50);

  /** The longest wait between two attempts. */
  public static final Duration MAX = Duration.ofSeconds(1);

  private static final Delay DELAY =
      Delay.equalJitter(MIN, MAX, MIN.toMillis(), TimeUnit.MILLISECONDS);

  private long attempt;

  /** The wait before the next attempt; each call counts one more failed attempt. */
  public Duration next() {
    return DELAY.createDelay(++attempt);
  }

  /** Starts again from {@link #MIN}: the connection succeeded. */
  public void reset() {
    attempt = 0;
  }
}
