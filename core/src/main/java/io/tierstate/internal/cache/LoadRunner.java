package io.tierstate.internal.cache;

import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.TypeRef;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a loader and stores what it returns: under the L2 lease (renewed while the loader runs, then
 * a fill that the fence and the lease check, logged for other nodes), or on this node only when
 * Redis is unreachable (the L1 entry then capped at the degraded TTL). A failed loader is answered
 * by the {@link StaleFallbacks}. Thread-safe.
 */
final class LoadRunner {
  private static final Logger log = LoggerFactory.getLogger(LoadRunner.class);

  /** How often a holder renews its lease while its loader runs, in fractions of the lease TTL. */
  static final int RENEWALS_PER_LEASE = 3;

  private final L1 l1;
  private final L2 l2;
  private final EntryCodec entries;
  private final CacheMeters meters;
  private final StaleFallbacks fallbacks;
  private final ScheduledExecutorService scheduler;
  private final String nodeId;
  private final long leaseNanos;
  private final long degradedL1TtlNanos;
  private final AtomicLong tokens = new AtomicLong();
  private final Consumer<String> unsettledFills;

  /**
   * @param unsettledFills told the key of every fill whose outcome is unknown (Redis did not answer
   *     it): the fill may still run on Redis later, so the key must be invalidated once Redis is
   *     back
   */
  LoadRunner(
      TierstateConfig config,
      L1 l1,
      L2 l2,
      EntryCodec entries,
      CacheMeters meters,
      StaleFallbacks fallbacks,
      ScheduledExecutorService scheduler,
      Consumer<String> unsettledFills) {
    this.unsettledFills = unsettledFills;
    this.l1 = l1;
    this.l2 = l2;
    this.entries = entries;
    this.meters = meters;
    this.fallbacks = fallbacks;
    this.scheduler = scheduler;
    this.nodeId = config.nodeId();
    this.leaseNanos = config.loadLeaseTtl().toNanos();
    this.degradedL1TtlNanos = config.degradedL1Ttl().toNanos();
  }

  /** A lease token no other load on any node uses: this node's id and a counter. */
  String newToken() {
    return nodeId + ":" + tokens.incrementAndGet();
  }

  /** Runs the loader while holding the lease (renewed while it runs), then fills L2 and L1. */
  <T> @Nullable T loadAndFill(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      L1.Stamp stamp,
      String token,
      L2.Acquired acquired,
      StaleFallbacks.Fallback fallback) {
    long renewEvery = Math.max(1, leaseNanos / RENEWALS_PER_LEASE);
    ScheduledFuture<?> renewal =
        scheduler.scheduleAtFixedRate(
            () -> renew(key, token), renewEvery, renewEvery, TimeUnit.NANOSECONDS);
    long readAtMillis = System.currentTimeMillis(); // the entry is as old as the source read
    T value;
    try {
      value = runLoader(key, loader, entries.region(options));
    } catch (CacheLoadException e) {
      renewal.cancel(false);
      releaseQuietly(key, token);
      return fallbacks.serveOnError(key, type, fallback, e);
    } finally {
      renewal.cancel(false);
    }
    EntryCodec.Prepared prepared =
        value == null && options.absentTtlOrNull() == null
            ? null
            : entries.prepareLoaded(key, value, options, type, readAtMillis);
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
      // Redis went away during the load: keep the value on this node only, briefly. A fill that
      // timed out may still run when Redis answers again (a paused or slow server works off its
      // backlog), after writes and tag invalidations this node could not see: without its tag
      // check, which never ran, nothing would remove it. Invalidate the key once Redis is back.
      unsettledFills.accept(key);
      l1.putIfUnchanged(key, degraded(prepared), stamp);
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
  <T> @Nullable T loadLocally(
      String key,
      TypeRef<T> type,
      CacheLoader<? extends T> loader,
      CacheOptions options,
      L1.Stamp stamp,
      StaleFallbacks.Fallback fallback) {
    long readAtMillis = System.currentTimeMillis();
    T value;
    try {
      value = runLoader(key, loader, entries.region(options));
    } catch (CacheLoadException e) {
      return fallbacks.serveOnError(key, type, fallback, e);
    }
    if (value != null || options.absentTtlOrNull() != null) {
      EntryCodec.Prepared prepared = entries.prepareLoaded(key, value, options, type, readAtMillis);
      if (prepared != null) {
        l1.putIfUnchanged(key, degraded(prepared), stamp);
      }
    }
    return value;
  }

  private L1Entry degraded(EntryCodec.Prepared prepared) {
    return prepared.entry().capped(System.nanoTime() + degradedL1TtlNanos);
  }

  private <T> @Nullable T runLoader(
      String key, CacheLoader<? extends T> loader, @Nullable Region region) {
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
      long nanos = System.nanoTime() - start;
      meters.loadDuration.record(nanos, TimeUnit.NANOSECONDS);
      if (region != null) {
        region.loaded(nanos);
      }
    }
  }

  private void renew(String key, String token) {
    try {
      l2.renew(key, token);
    } catch (RuntimeException e) {
      log.debug("lease renewal for '{}' failed: {}", key, e.toString());
    }
  }

  private void releaseQuietly(String key, String token) {
    try {
      l2.releaseAndLog(key, token);
    } catch (RedisUnavailableException e) {
      log.debug("could not release the lease on '{}': {}", key, e.getMessage());
    }
  }
}
