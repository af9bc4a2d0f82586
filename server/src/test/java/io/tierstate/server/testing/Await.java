package io.tierstate.server.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls a condition until it holds, instead of sleeping a guessed time. */
public final class Await {
  private Await() {}

  /**
   * Calls {@code probe} until {@code done} accepts its result or {@code timeout} passes; returns the
   * last result either way, for the test to assert on.
   */
  public static <T> T until(Supplier<T> probe, Predicate<T> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = probe.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return value;
      }
      value = probe.get();
    }
    return value;
  }

  /**
   * Polls {@code condition} until it holds.
   *
   * @throws AssertionError naming {@code what} if it does not hold within {@code timeout}
   */
  public static void until(String what, BooleanSupplier condition, Duration timeout) {
    if (!until(condition::getAsBoolean, Boolean::booleanValue, timeout)) {
      throw new AssertionError("timed out after " + timeout + " waiting until " + what);
    }
  }
}
