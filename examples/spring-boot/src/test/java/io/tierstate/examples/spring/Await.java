package io.tierstate.examples.spring;

import io.tierstate.testkit.Poll;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, failing the test if it does not hold in time. */
final class Await {
  private Await() {}

  static void until(Duration timeout, BooleanSupplier condition) {
    if (!Poll.until(timeout, condition)) {
      throw new AssertionError("condition did not hold within " + timeout);
    }
  }
}
