package io.tierstate.internal.cache;

import io.tierstate.cache.CacheLoadException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Callers waiting for another node's loader, woken by the log entry its fill or release appends, so
 * that waiting costs no Redis polling. Register before asking for the lease, so that an entry
 * arriving between the two is not missed, and forget in a {@code finally}, so that no attempt
 * leaves its waiter behind. How long a caller waits is decided by the two timings below.
 */
final class LeaseWaiters {
  /**
   * How long a caller waits for another node's load before loading itself, in lease TTLs ({@code
   * loadLeaseTtl}). A holder renews its lease while its loader runs, so one whose loader hangs
   * would otherwise keep every other node waiting for as long as it hangs; a dead holder costs at
   * most one lease, since its lease then expires and the next caller takes it.
   */
  static final int MAX_WAIT_IN_LEASES = 3;

  /**
   * Added to the lease's remaining time when a waiter is not woken by the holder's fill or release
   * log entry (a lost entry, a holder that died): by then the lease has expired or been renewed,
   * and asking again finds out which. It covers the time the reply took to arrive.
   */
  static final long LEASE_EXPIRY_SLACK_MILLIS = 20;

  private final ConcurrentMap<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

  CompletableFuture<Void> register(String key) {
    return waiting.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  void wake(String key) {
    CompletableFuture<Void> waiter = waiting.remove(key);
    if (waiter != null) {
      waiter.complete(null);
    }
  }

  void forget(String key, CompletableFuture<Void> waiter) {
    waiting.remove(key, waiter);
  }

  boolean isWaiting(String key) {
    return waiting.containsKey(key);
  }

  /**
   * Waits until {@code woken} completes, the lease ends ({@code leasePttlMillis} and the slack), or
   * {@code remainingNanos} pass, whichever comes first; a timeout is not an error (the next acquire
   * finds out whether the holder is still there).
   *
   * @throws CacheLoadException if the thread is interrupted (its interrupt flag is set again)
   */
  static void await(CompletableFuture<Void> woken, long leasePttlMillis, long remainingNanos) {
    long untilLeaseEnds =
        TimeUnit.MILLISECONDS.toNanos(leasePttlMillis + LEASE_EXPIRY_SLACK_MILLIS);
    try {
      woken.get(Math.max(1, Math.min(remainingNanos, untilLeaseEnds)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Timed out: the holder may be dead; the next acquire finds out.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException("interrupted while waiting for another node's load", e);
    }
  }
}
