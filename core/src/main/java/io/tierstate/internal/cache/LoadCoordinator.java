package io.tierstate.internal.cache;

import io.micrometer.core.instrument.Timer;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.TypeRef;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load protocol behind {@code getOrLoad} on an L1 miss, and the one place that decides between
 * its steps: one load per key and type on this node ({@link SingleFlight}); L2 read, fresh or stale
 * inside stale-while-revalidate ({@link BackgroundRefresher}); otherwise one load across nodes
 * under the L2 lease, waited for without polling ({@link LeaseWaiters}), run and filled by the
 * {@link LoadRunner}, whose failures the {@link StaleFallbacks} answer; a local load when Redis is
 * unreachable. Thread-safe.
 */
final class LoadCoordinator {
  private static final Logger log = LoggerFactory.getLogger(LoadCoordinator.class);

  private final L1 l1;
  private final L2 l2;
  private final EntryCodec entries;
  private final CacheMeters meters;
  private final LeaseWaiters waiters;
  private final SingleFlight flights = new SingleFlight();
  private final LoadRunner runner;
  private final BackgroundRefresher refresher;
  private final long leaseNanos;
  private final Timer timer;

  private record Hit<T>(@Nullable T value) {}

  LoadCoordinator(
      TierstateConfig config,
      L1 l1,
      L2 l2,
      EntryCodec entries,
      CacheMeters meters,
      LeaseWaiters waiters,
      ExecutorService refresher,
      ScheduledExecutorService scheduler,
      Consumer<String> unsettledFills) {
    this.l1 = l1;
    this.l2 = l2;
    this.entries = entries;
    this.meters = meters;
    this.waiters = waiters;
    this.runner =
        new LoadRunner(
            config,
            l1,
            l2,
            entries,
            meters,
            new StaleFallbacks(entries, meters),
            scheduler,
            unsettledFills);
    this.refresher = new BackgroundRefresher(l1, l2, runner, refresher);
    this.leaseNanos = config.loadLeaseTtl().toNanos();
    this.timer = meters.operation("getOrLoad");
  }

  /**
   * Loads {@code key} after an L1 miss, or waits for the load of it already under way on this node.
   *
   * @param staleL1 what L1 held (expired), served if the loader fails within its stale-if-error
   *     window
   */
  <T> @Nullable T load(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      @Nullable L1Entry staleL1) {
    long start = System.nanoTime();
    try {
      return flights.run(
          key, type, () -> loadThroughTiers(key, type, loader, options, staleL1, start));
    } finally {
      timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
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
      long waitUntil = startNanos + LeaseWaiters.MAX_WAIT_IN_LEASES * leaseNanos;
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
        String token = runner.newToken();
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
              LeaseWaiters.await(woken, acquired.leasePttlMillis(), remaining);
              continue;
            }
          }
        } finally {
          waiters.forget(key, woken);
        }
        StaleFallbacks.Fallback fallback = new StaleFallbacks.Fallback(staleL1, staleL2);
        if (acquired.granted()) {
          return runner.loadAndFill(key, type, loader, options, stamp, token, acquired, fallback);
        }
        // The lease holder keeps renewing but never fills: load without it rather than hang.
        log.warn(
            "Waited {} ms for another node to load '{}'; loading here",
            TimeUnit.NANOSECONDS.toMillis(LeaseWaiters.MAX_WAIT_IN_LEASES * leaseNanos),
            key);
        return runner.loadLocally(key, type, loader, options, stamp, fallback);
      }
    } catch (RedisUnavailableException e) {
      log.debug("getOrLoad('{}') without Redis: {}", key, e.getMessage());
      return runner.loadLocally(
          key, type, loader, options, stamp, new StaleFallbacks.Fallback(staleL1, staleL2));
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
    Region region = entries.region(options);
    EntryCodec.Decoded<T> decoded = entries.decodeValue(key, envelope, type, region);
    if (decoded == null) {
      return null;
    }
    meters.l2Hit.increment();
    if (region != null) {
      region.l2Hit();
    }
    l1.putIfUnchanged(key, decoded.entry(), stamp);
    if (!fresh) {
      meters.staleRevalidate.increment();
      refresher.refresh(key, type, loader, options);
    } else if (decoded.entry().dueForRefresh(System.nanoTime(), options.refreshAheadFraction())) {
      refresher.refresh(key, type, loader, options);
    }
    return new Hit<>(decoded.value());
  }

  /** Reloads {@code key} on a background thread, unless this node is already reloading it. */
  <T> void refreshInBackground(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    refresher.refresh(key, type, loader, options);
  }

  /** Whether a caller on this node waits for another node's load of {@code key} (for tests). */
  boolean waitsForLease(String key) {
    return waiters.isWaiting(key);
  }
}
