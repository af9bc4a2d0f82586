package io.tierstate.internal.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Callers waiting for another node's loader, woken by the log entry its fill or release appends, so
 * that waiting costs no Redis polling. Register before asking for the lease, so that an entry
 * arriving between the two is not missed.
 */
final class LeaseWaiters {
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
}
