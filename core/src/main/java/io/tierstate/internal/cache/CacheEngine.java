package io.tierstate.internal.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisEndpoint;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.HotKey;
import io.tierstate.cache.Invalidator;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.Codec;
import io.tierstate.internal.hotkeys.HotKeySampler;
import io.tierstate.internal.inspect.CachedEntries;
import io.tierstate.internal.redis.RedisExecutor;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Assembles the tiered cache: L1, L2, the invalidation log and its listener thread, and the
 * background work (refreshes, lease renewals, replay of invalidations held back while Redis was
 * unreachable). Internal: applications obtain the cache through {@code Tierstate}.
 *
 * <p>Thread-safe.
 */
public final class CacheEngine implements AutoCloseable {
  private final DefaultTieredCache cache;
  private final InvalidationSender invalidations;
  private final InvalidationLog invalidationLog;
  private final L1 l1;
  private final EngineEntries entries;
  private final ExecutorService refresher;
  private final ScheduledExecutorService scheduler;

  private CacheEngine(
      TierstateConfig config, RedisExecutor redis, CacheMeters meters, Codec codec) {
    CoarseClock.acquire();
    this.l1 = new L1(config.l1MaximumSize(), config.l1MaximumAge(), config.degradedL1Ttl(), meters);
    // On one server a log entry may be pipelined behind its writes; on a Cluster they may reach
    // different shards.
    boolean cluster = config.redisEndpoint().mode() == RedisEndpoint.Mode.CLUSTER;
    RedisTier l2 =
        new RedisTier(
            redis,
            config.namespace(),
            config.loadLeaseTtl(),
            config.nodeId(),
            config.invalidationLogMaxLength(),
            !cluster,
            meters);
    this.refresher =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("tierstate-refresh-", 0).factory());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tierstate-scheduler-" + config.nodeId());
              thread.setDaemon(true);
              return thread;
            });
    Regions regions = new Regions(meters.registry, TieredCache.MAX_REGIONS);
    TrustFloor floor = new TrustFloor();
    EntryCodec entries = new EntryCodec(config, codec, meters, regions, floor);
    this.entries = new EngineEntries(l1, l2, entries);
    LeaseWaiters waiters = new LeaseWaiters();
    InvalidationEvents events = new InvalidationEvents(meters);
    this.invalidations = new InvalidationSender(l1, l2, meters, events, config.nodeId());
    LoadCoordinator loads =
        new LoadCoordinator(
            config,
            l1,
            l2,
            entries,
            meters,
            waiters,
            refresher,
            scheduler,
            key -> invalidations.holdBack(List.of(key)));
    HotKeySampler hotKeys =
        HotKeySampler.create(
            config.hotKeySampling(), TieredCache.HOT_KEY_HALF_LIFE, CoarseClock::read);
    this.cache =
        new DefaultTieredCache(
            config, l1, l2, entries, loads, invalidations, events, meters, regions, hotKeys);
    InvalidationReceiver receiver =
        new InvalidationReceiver(l1, l2, waiters, invalidations, events, meters, config.nodeId());
    this.invalidationLog =
        new InvalidationLog(
            redis.connector(), config.namespace(), config.nodeId(), floor, meters, receiver);
    // Until the listener has read the log, this node cannot know what others invalidate.
    l1.distrust(System.nanoTime());
  }

  /** Creates the engine and starts its listener and background work. */
  public static CacheEngine start(
      TierstateConfig config, RedisExecutor redis, MeterRegistry registry, Codec codec) {
    return start(config, redis, registry, registry, null, codec);
  }

  /**
   * Creates the engine with its request counters ({@code tierstate.cache.requests}, counted on
   * every read) registered in {@code requests} instead of {@code registry}, and read at scrape time
   * by {@code mirror} if not null: Tierstate's composite of the user's registry and its own
   * Prometheus registry would otherwise increment two counters per read.
   */
  public static CacheEngine start(
      TierstateConfig config,
      RedisExecutor redis,
      MeterRegistry registry,
      MeterRegistry requests,
      @Nullable MeterRegistry mirror,
      Codec codec) {
    CacheEngine engine =
        new CacheEngine(config, redis, new CacheMeters(registry, requests, mirror), codec);
    engine.invalidationLog.start();
    Future<?> unused =
        engine.scheduler.scheduleWithFixedDelay(
            engine.invalidations::replayPending, 1, 1, TimeUnit.SECONDS);
    return engine;
  }

  /** The cache. */
  public TieredCache cache() {
    return cache;
  }

  /** The invalidator. */
  public Invalidator invalidator() {
    return cache;
  }

  /** What L1 and L2 hold, read without touching them: for the consistency auditor. */
  public CachedEntries entries() {
    return entries;
  }

  /** This node's hot keys now ({@link TieredCache#hotKeys()}): what its heartbeat announces. */
  public List<HotKey> hotKeys() {
    return cache.hotKeys();
  }

  /** How many entries L1 holds (an estimate). */
  public long l1Size() {
    return l1.size();
  }

  /**
   * Whether invalidations from other nodes are flowing, so L1 entries are trusted for their full
   * lifetime.
   */
  public boolean invalidationsFlowing() {
    return l1.trusted();
  }

  /** Whether invalidations made while Redis was unreachable still wait to be sent. */
  public boolean hasPendingInvalidations() {
    return invalidations.hasPending();
  }

  @Override
  public void close() {
    invalidationLog.close();
    scheduler.shutdownNow();
    refresher.shutdownNow();
    CoarseClock.release();
  }
}
