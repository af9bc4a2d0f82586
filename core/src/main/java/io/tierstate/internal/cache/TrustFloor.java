package io.tierstate.internal.cache;

import java.time.Duration;

/**
 * The namespace's trust floor as this node knows it: L2 entries created before it read as misses
 * (and their fill replaces them). It is raised when Redis may have lost acknowledged writes (a
 * restart or failover, a log that went back or is gone, a Cluster master replaced by its replica):
 * the deletes and fence moves such a loss drops leave older values in L2, which nothing else would
 * remove before their TTL.
 *
 * <p>The floor lives in Redis ({@code ns:floor}, raised only, by {@code floor.lua}) so every node
 * learns it, and here as a volatile long, so the L2 read path pays one comparison and no Redis
 * command. Thread-safe.
 */
final class TrustFloor {
  /**
   * How far ahead of the detecting node's clock the floor is put. Entries carry their writer's
   * clock ({@link Envelope#createdAtMillis()}): an entry written just before the loss by a node
   * whose clock runs up to this much ahead of the detecting node's is still below the floor. The
   * price: entries written in the allowance after a raise read as misses too (their keys are loaded
   * again once more).
   */
  static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofSeconds(1);

  private static final long ALLOWANCE_MILLIS = CLOCK_SKEW_ALLOWANCE.toMillis();

  private volatile long floorMillis;
  // When this node took the current floor (its clock): a value read from its source after that
  // was read after the loss was known, and is stamped at least the floor (see stamp).
  private volatile long adoptedAtMillis = Long.MAX_VALUE;

  /** The floor: epoch millis, 0 while nothing was ever lost. */
  long millis() {
    return floorMillis;
  }

  /** Whether an L2 entry created at {@code createdAtMillis} (its writer's clock) can be served. */
  boolean trusts(long createdAtMillis) {
    return createdAtMillis >= floorMillis;
  }

  /** The floor a node that detects a loss at {@code nowMillis} (its clock) asks for. */
  static long raisedAt(long nowMillis) {
    return nowMillis + ALLOWANCE_MILLIS;
  }

  /**
   * Takes a floor read from Redis or just raised; never lowers the local one.
   *
   * @return whether the local floor moved
   */
  synchronized boolean adopt(long millis) {
    if (millis <= floorMillis) {
      return false;
    }
    adoptedAtMillis = System.currentTimeMillis();
    floorMillis = millis;
    return true;
  }

  /**
   * The created time to write in an envelope whose value was read from its source at {@code
   * readAtMillis} (this node's clock; now for a {@code set}). A value read after this node took the
   * floor is stamped at least the floor: it was read after the loss was known, so the clock-skew
   * allowance must not make it a miss (without this, a {@code set} in the second after a failover
   * read back as absent). A value read before keeps its time, and the floor may distrust it.
   */
  long stamp(long readAtMillis) {
    long adoptedAt = adoptedAtMillis;
    long floor = floorMillis;
    // Strictly after: a read in the same millisecond as the adoption may have begun before it.
    return readAtMillis > adoptedAt ? Math.max(readAtMillis, floor) : readAtMillis;
  }

  /**
   * Whether a floor learned from Redis, above the local one, belongs to a loss this node has not
   * acted on: another node raised it for the same failover less than the allowance after this node
   * did (both clear their L1 themselves), or for a loss this node did not see (then it must clear
   * L1: entries it filled from L2 meanwhile may be below the floor).
   */
  static boolean isNewLoss(long localMillis, long learnedMillis) {
    return localMillis == 0 || learnedMillis - localMillis > ALLOWANCE_MILLIS;
  }
}
