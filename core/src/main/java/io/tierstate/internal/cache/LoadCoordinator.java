package io.tierstate.internal.cache;

import io.micrometer.core.instrument.Timer;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.TypeRef;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load protocol behind {@code getOrLoad} on an L1 miss: one load per key and type on this node
 * (single flight), one across nodes (the L2 lease, waited for without polling through {@link
 * LeaseWaiters}), fills that never overwrite a newer write (the fence), stale values served while
 * one node reloads or when the loader fails, and a local load when Redis is unreachable.
 * Thread-safe.
 */
final class LoadCoordinator {
  private static final Logger log = LoggerFactory.getLogger(LoadCoordinator.class);

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

  /** How often a holder renews its lease while its loader runs, in fractions of the lease TTL. */
  static final int RENEWALS_PER_LEASE = 3;

  private final L1 l1;
  private final L2 l2;
  private final EntryCodec entries;
  private final CacheMeters meters;
  private final LeaseWaiters waiters;
  private final ExecutorService refresher;
  private final ScheduledExecutorService scheduler;
  private final String nodeId;
  private final long leaseNanos;
  private final long degradedL1TtlNanos;
  private final Timer timer;
  private final AtomicLong tokens = new AtomicLong();
  private final ConcurrentMap<Flight, CompletableFuture<@Nullable Object>> inflight =
      new ConcurrentHashMap<>();
  private final java.util.Set<String> refreshing = ConcurrentHashMap.newKeySet();

  /** One local load: the key, and the type it is decoded to. */
  private record Flight(String key, TypeRef<?> type) {}

  /** Everything that can still answer if the loader fails. */
  private record Fallback(@Nullable L1Entry l1, @Nullable Envelope l2) {}

  private static final Fallback NO_FALLBACK = new Fallback(null, null);

  private record Hit<T>(@Nullable T value) {}

  LoadCoordinator(
      TierstateConfig config,
      L1 l1,
      L2 l2,
      EntryCodec entries,
      CacheMeters meters,
      LeaseWaiters waiters,
      ExecutorService refresher,
      ScheduledExecutorService scheduler) {
    this.l1 = l1;
    this.l2 = l2;
    this.entries = entries;
    this.meters = meters;
    this.waiters = waiters;
    this.refresher = refresher;
    this.scheduler = scheduler;
    this.nodeId = config.nodeId();
    this.leaseNanos = config.loadLeaseTtl().toNanos();
    this.degradedL1TtlNanos = config.degradedL1Ttl().toNanos();
    this.timer = meters.operation("getOrLoad");
  }

  /**
   * Loads {@code key} after an L1 miss, or waits for the load of it already under way on this node.
   *
   * @param staleL1 what L1 held (expired), served if the loader fails within its stale-if-error
   *     window
   */
  @SuppressWarnings("unchecked")
  <T> @Nullable T load(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      @Nullable L1Entry staleL1) {
    long start = System.nanoTime();
    Flight flight = new Flight(key, type);
    CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
    CompletableFuture<@Nullable Object> leader = inflight.putIfAbsent(flight, mine);
    if (leader != null) {
      return (T) join(leader);
    }
    try {
      T value = loadThroughTiers(key, type, loader, options, staleL1, start);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(flight, mine);
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private static @Nullable Object join(CompletableFuture<@Nullable Object> leader) {
    try {
      return leader.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } catch (CancellationException e) {
      throw new CacheLoadException("the load this call waited for was cancelled", e);
    }
  }

  private <T> @Nullable T loadThroughTiers(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      @Nullable L1Entry staleL1,
      long startNanos) {
    L1.Stamp stamp = l1.stamp(key);
    Envelope staleL2 = null;
    try {
      long waitUntil = startNanos + MAX_WAIT_IN_LEASES * leaseNanos;
      boolean firstLook = true;
      while (true) {
        byte[] bytes = l2.get(key);
        Envelope envelope = bytes == null ? null : entries.decodeEnvelope(key, bytes);
        if (envelope != null) {
          Hit<T> hit = serveFromL2(key, type, loader, options, envelope, stamp);
          if (hit != null) {
            return hit.value;
          }
          staleL2 = envelope;
        }
        // A value that is there but cannot serve (expired, corrupt, another type) is replaced
        // under the lease like a missing one: ask for the lease even though a value exists.
        boolean valuePresent = bytes != null;
        if (firstLook) {
          meters.l2Miss.increment();
          firstLook = false;
        }
        // Registered before asking for the lease, so that a wake-up arriving in between is not
        // missed; forgotten however this attempt ends (an answer, an error, an interrupt).
        String token = nodeId + ":" + tokens.incrementAndGet();
        L2.Acquired acquired;
        CompletableFuture<Void> woken = waiters.register(key);
        try {
          acquired = l2.acquire(key, token, valuePresent, options.tagArray());
          if (acquired.value() != null && !acquired.granted()) {
            Envelope now = entries.decodeEnvelope(key, acquired.value());
            Hit<T> hit = now == null ? null : serveFromL2(key, type, loader, options, now, stamp);
            if (hit != null) {
              return hit.value;
            }
            if (!valuePresent) {
              continue; // written between our GET and the script, and not servable: ask again,
              // forcing the lease
            }
          }
          if (!acquired.granted()) {
            long remaining = waitUntil - System.nanoTime();
            if (remaining > 0) {
              long untilLeaseEnds =
                  TimeUnit.MILLISECONDS.toNanos(
                      acquired.leasePttlMillis() + LEASE_EXPIRY_SLACK_MILLIS);
              awaitWake(woken, Math.min(remaining, untilLeaseEnds));
              continue;
            }
          }
        } finally {
          waiters.forget(key, woken);
        }
        if (acquired.granted()) {
          return loadAndFill(
              key, type, loader, options, stamp, token, acquired, new Fallback(staleL1, staleL2));
        }
        // The lease holder keeps renewing but never fills: load without it rather than hang.
        log.warn(
            "Waited {} ms for another node to load '{}'; loading here",
            TimeUnit.NANOSECONDS.toMillis(MAX_WAIT_IN_LEASES * leaseNanos),
            key);
        return loadLocally(key, type, loader, options, stamp, new Fallback(staleL1, staleL2));
      }
    } catch (RedisUnavailableException e) {
      log.debug("getOrLoad('{}') without Redis: {}", key, e.getMessage());
      return loadLocally(key, type, loader, options, stamp, new Fallback(staleL1, staleL2));
    }
  }

  /** Answers from an L2 envelope if it is fresh, or stale inside its revalidation window. */
  private <T> @Nullable Hit<T> serveFromL2(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      Envelope envelope,
      L1.Stamp stamp) {
    long nowMillis = System.currentTimeMillis();
    boolean fresh = envelope.isFresh(nowMillis);
    if (!fresh && !envelope.isServableStale(nowMillis)) {
      return null;
    }
    EntryCodec.Decoded<T> decoded = entries.decodeValue(key, envelope, type);
    if (decoded == null) {
      return null;
    }
    meters.l2Hit.increment();
    l1.putIfUnchanged(key, decoded.entry(), stamp);
    if (!fresh) {
      meters.staleRevalidate.increment();
      refreshInBackground(key, type, loader, options);
    } else if (decoded.entry().dueForRefresh(System.nanoTime(), options.refreshAheadFraction())) {
      refreshInBackground(key, type, loader, options);
    }
    return new Hit<>(decoded.value());
  }

  private static void awaitWake(CompletableFuture<Void> woken, long nanos) {
    try {
      woken.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Timed out: the holder may be dead; the next acquire finds out.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException("interrupted while waiting for another node's load", e);
    }
  }

  /** Runs the loader while holding the lease (renewed while it runs), then fills L2 and L1. */
  private <T> @Nullable T loadAndFill(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      L1.Stamp stamp,
      String token,
      L2.Acquired acquired,
      Fallback fallback) {
    long renewEvery = Math.max(1, leaseNanos / RENEWALS_PER_LEASE);
    ScheduledFuture<?> renewal =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                l2.renew(key, token);
              } catch (RuntimeException e) {
                log.debug("lease renewal for '{}' failed: {}", key, e.toString());
              }
            },
            renewEvery,
            renewEvery,
            TimeUnit.NANOSECONDS);
    T value;
    try {
      value = runLoader(key, loader);
    } catch (CacheLoadException e) {
      renewal.cancel(false);
      releaseQuietly(key, token);
      return serveOnError(key, type, fallback, e);
    } finally {
      renewal.cancel(false);
    }
    EntryCodec.Prepared prepared =
        value == null && options.absentTtlOrNull() == null
            ? null
            : entries.prepareLoaded(key, value, options, type);
    if (prepared == null) {
      releaseQuietly(key, token);
      return value;
    }
    L2.FillResult result;
    try {
      result =
          l2.fillAndLog(
              key,
              token,
              acquired,
              prepared.bytes(),
              prepared.redisTtlMillis(),
              options.tagArray());
    } catch (RedisUnavailableException e) {
      // Redis went away during the load: keep the value on this node only, briefly.
      l1.putIfUnchanged(
          key, prepared.entry().capped(System.nanoTime() + degradedL1TtlNanos), stamp);
      return value;
    }
    switch (result) {
      case WRITTEN -> l1.putIfUnchanged(key, prepared.entry(), stamp);
      case FENCED -> meters.fillsFenced.increment();
      case LEASE_LOST -> meters.fillsLeaseLost.increment();
      case RACED_INVALIDATION -> meters.fillsTagRace.increment();
    }
    return value;
  }

  /** Loads with no L2 at all (Redis unreachable, or a lease holder that never finishes). */
  private <T> @Nullable T loadLocally(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      L1.Stamp stamp,
      Fallback fallback) {
    T value;
    try {
      value = runLoader(key, loader);
    } catch (CacheLoadException e) {
      return serveOnError(key, type, fallback, e);
    }
    if (value != null || options.absentTtlOrNull() != null) {
      EntryCodec.Prepared prepared = entries.prepareLoaded(key, value, options, type);
      if (prepared != null) {
        l1.putIfUnchanged(
            key, prepared.entry().capped(System.nanoTime() + degradedL1TtlNanos), stamp);
      }
    }
    return value;
  }

  private <T> @Nullable T runLoader(String key, CacheLoader<? extends T> loader) {
    long start = System.nanoTime();
    try {
      T value = loader.load();
      (value == null ? meters.loadAbsent : meters.loadSuccess).increment();
      return value;
    } catch (Exception e) {
      meters.loadFailure.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CacheLoadException("loader for key '" + key + "' failed: " + e, e);
    } finally {
      meters.loadDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Stale-if-error: the stale L1 entry, else the stale L2 one, inside their windows; else the
   * failure.
   */
  @SuppressWarnings("unchecked")
  private <T> @Nullable T serveOnError(
      String key, TypeRef<T> type, Fallback fallback, CacheLoadException failure) {
    long now = System.nanoTime();
    L1Entry stale = fallback.l1();
    if (stale != null && stale.isServableOnError(now) && stale.accepts(type)) {
      meters.staleOnError.increment();
      log.warn("Serving stale '{}' from L1: {}", key, failure.getMessage());
      return (T) stale.value;
    }
    Envelope staleL2 = fallback.l2();
    if (staleL2 != null && staleL2.isServableOnError(System.currentTimeMillis())) {
      EntryCodec.Decoded<T> decoded = entries.decodeValue(key, staleL2, type);
      if (decoded != null) {
        meters.staleOnError.increment();
        log.warn("Serving stale '{}' from L2: {}", key, failure.getMessage());
        return decoded.value();
      }
    }
    throw failure;
  }

  private void releaseQuietly(String key, String token) {
    try {
      l2.releaseAndLog(key, token);
    } catch (RedisUnavailableException e) {
      log.debug("could not release the lease on '{}': {}", key, e.getMessage());
    }
  }

  /** Reloads {@code key} on a background thread, unless this node is already reloading it. */
  <T> void refreshInBackground(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    if (!refreshing.add(key)) {
      return;
    }
    try {
      refresher.execute(
          () -> {
            try {
              refresh(key, type, loader, options);
            } catch (RuntimeException e) {
              log.warn("Background refresh of '{}' failed: {}", key, e.toString());
            } finally {
              refreshing.remove(key);
            }
          });
    } catch (RuntimeException rejected) {
      refreshing.remove(key);
    }
  }

  private <T> void refresh(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    L1.Stamp stamp = l1.stamp(key);
    String token = nodeId + ":" + tokens.incrementAndGet();
    L2.Acquired acquired;
    try {
      acquired = l2.acquire(key, token, true, options.tagArray());
    } catch (RedisUnavailableException e) {
      loadLocally(key, type, loader, options, stamp, NO_FALLBACK);
      return;
    }
    if (!acquired.granted()) {
      return; // another node is refreshing it
    }
    loadAndFill(key, type, loader, options, stamp, token, acquired, NO_FALLBACK);
  }

  /** Whether a caller on this node waits for another node's load of {@code key} (for tests). */
  boolean waitsForLease(String key) {
    return waiters.isWaiting(key);
  }
}
