package io.tierstate.spring;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, failing the test with {@code what} if it does not hold in time. */
final class Await {
  private Await() {}

  static void until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition did not hold within " + timeout);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
