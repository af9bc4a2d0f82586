package io.tierstate.bench;

import io.tierstate.Tierstate;
import java.util.concurrent.TimeUnit;

/** Waits for a node's invalidation listener, so that its L1 is trusted before a measurement. */
final class Invalidations {
  private static final long TIMEOUT_SECONDS = 10;

  private Invalidations() {}

  /**
   * Returns once invalidations flow to {@code node}.
   *
   * @throws IllegalStateException if they do not within {@value #TIMEOUT_SECONDS} s
   */
  static void awaitFlowing(Tierstate node) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!node.invalidationsFlowing()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("invalidations did not start flowing on " + node.nodeId()
            + " within " + TIMEOUT_SECONDS + "s; is Redis reachable?");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for invalidations to flow", e);
      }
    }
  }
}
