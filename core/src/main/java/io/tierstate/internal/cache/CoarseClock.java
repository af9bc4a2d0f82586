package io.tierstate.internal.cache;

import java.util.concurrent.locks.LockSupport;

/**
 * A {@link System#nanoTime()} that a background thread samples about every millisecond, so that an
 * L1 hit reads a volatile field instead of the clock. On a hit path of a few tens of nanoseconds,
 * one or two clock reads per lookup (ours and Caffeine's expiry) cost more than the lookup itself;
 * a deadline checked up to a millisecond late costs nothing a cache user can notice.
 *
 * <p>One thread per JVM, running while at least one cache uses it. Thread-safe.
 */
final class CoarseClock {
  private static final long PERIOD_NANOS = 1_000_000;
  private static final Object LOCK = new Object();
  private static int users;
  private static volatile long now = System.nanoTime();
  private static volatile boolean running;

  private CoarseClock() {}

  /** The sampled time, never more than about a millisecond behind {@link System#nanoTime()}. */
  static long read() {
    return now;
  }

  /** Starts the sampling thread if this is the first user. */
  static void acquire() {
    synchronized (LOCK) {
      if (users++ == 0) {
        running = true;
        now = System.nanoTime();
        Thread thread = new Thread(CoarseClock::tick, "tierstate-clock");
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  /** Stops the sampling thread once its last user is gone. */
  static void release() {
    synchronized (LOCK) {
      if (--users == 0) {
        running = false;
      }
    }
  }

  private static void tick() {
    while (running) {
      now = System.nanoTime();
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }
}
