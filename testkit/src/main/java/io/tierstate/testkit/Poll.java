package io.tierstate.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a deadline passes, for tests that wait on another node or
 * server. Stateless and thread-safe.
 */
public final class Poll {
  private Poll() {}

  /**
   * Checks {@code condition} every few milliseconds (backing off to 50 ms) until it returns true
   * or {@code timeout} has passed; returns whether it held.
   *
   * @throws IllegalStateException if the calling thread is interrupted (the flag is restored)
   */
  public static boolean until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 2;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while polling", e);
      }
      pauseMillis = Math.min(50, pauseMillis * 2);
    }
  }
}
