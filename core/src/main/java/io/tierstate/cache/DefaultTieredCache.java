package io.tierstate.cache;

import io.tierstate.keys.KeyPattern;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Timer;
import io.tierstate.TierstateConfig;
import io.tierstate.codec.Codec;
import io.tierstate.codec.CodecException;
import io.tierstate.codec.TypeRef;
import io.tierstate.keys.CacheKeys;
import io.tierstate.redis.RedisUnavailableException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiered cache. Reads go L1 → L2 → loader; writes go to L2, then the invalidation log, then
 * this node's L1. See {@link L1} for how L1 stays coherent, {@link RedisTier} for the Redis layout
 * and the fenced load protocol, and {@link InvalidationLog} for how other nodes learn of writes.
 */
final class DefaultTieredCache implements TieredCache, Invalidator, InvalidationLog.Handler {
  private static final Logger log = LoggerFactory.getLogger(DefaultTieredCache.class);
  private static final int EVENT_CHUNK = 1_000;
  private static final ClassValue<TypeRef<?>> TYPE_REFS = new ClassValue<>() {
    @Override
    protected TypeRef<?> computeValue(Class<?> type) {
      return TypeRef.of(type);
    }
  };

  private final TierstateConfig config;
  private final L1 l1;
  private final RedisTier l2;
  private final Codec codec;
  private final CacheMeters meters;
  private final String nodeId;
  private final boolean orderedPipeline;
  private final ExecutorService refresher;
  private final ScheduledExecutorService scheduler;
  private final LeaseWaiters waiters = new LeaseWaiters();
  private final PendingInvalidations pending = new PendingInvalidations();
  private final ConcurrentMap<Flight, CompletableFuture<@Nullable Object>> inflight = new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final List<Consumer<InvalidationEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong tokens = new AtomicLong();
  private final Timer getTimer;
  private final Timer getOrLoadTimer;
  private final Timer setTimer;
  private final long leaseNanos;
  private volatile @Nullable InvalidationLog invalidationLog;

  /** One local load: the key, and the type it is decoded to. */
  private record Flight(String key, TypeRef<?> type) {}

  DefaultTieredCache(TierstateConfig config, L1 l1, RedisTier l2, Codec codec, CacheMeters meters,
      boolean orderedPipeline, ExecutorService refresher, ScheduledExecutorService scheduler) {
    this.config = config;
    this.l1 = l1;
    this.l2 = l2;
    this.codec = codec;
    this.meters = meters;
    this.nodeId = config.nodeId();
    this.orderedPipeline = orderedPipeline;
    this.refresher = refresher;
    this.scheduler = scheduler;
    this.getTimer = meters.operation("get");
    this.getOrLoadTimer = meters.operation("getOrLoad");
    this.setTimer = meters.operation("set");
    this.leaseNanos = config.loadLeaseTtl().toNanos();
  }

  void attach(InvalidationLog invalidationLog) {
    this.invalidationLog = invalidationLog;
  }

  private InvalidationLog logOrThrow() {
    InvalidationLog current = invalidationLog;
    if (current == null) {
      throw new IllegalStateException("the invalidation log is not attached");
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static <T> TypeRef<T> ref(Class<T> type) {
    return (TypeRef<T>) TYPE_REFS.get(Objects.requireNonNull(type, "type"));
  }

  // ---------------------------------------------------------------------------------- reads

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return get(key, ref(type));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> get(String key, TypeRef<T> type) {
    // Only valid keys ever enter L1, so a hit proves the key valid: validate on the miss path.
    long now = CoarseClock.read();
    L1Entry entry = key == null ? null : l1.get(key, now);
    if (entry != null && entry.isFresh(now) && accepts(entry, type)) {
      meters.l1Hit.increment();
      return (Optional<T>) entry.optional;
    }
    CacheKeys.requireValidKey(key);
    meters.l1Miss.increment();
    now = System.nanoTime();
    L1.Stamp stamp = l1.stamp(key);
    byte[] bytes;
    try {
      bytes = l2.get(key);
    } catch (RedisUnavailableException e) {
      return Optional.empty();
    }
    try {
      Envelope envelope = bytes == null ? null : decodeEnvelope(key, bytes);
      if (envelope == null || !envelope.isFresh(System.currentTimeMillis())) {
        meters.l2Miss.increment();
        return Optional.empty();
      }
      Decoded<T> decoded = decodeValue(key, envelope, type);
      if (decoded == null) {
        meters.l2Miss.increment();
        return Optional.empty();
      }
      meters.l2Hit.increment();
      l1.putIfUnchanged(key, decoded.entry, stamp);
      return Optional.ofNullable(decoded.value);
    } finally {
      getTimer.record(System.nanoTime() - now, TimeUnit.NANOSECONDS);
    }
  }

  /** Whether an L1 entry can answer a read for {@code type}. */
  private static boolean accepts(L1Entry entry, TypeRef<?> type) {
    if (entry.typeMatches(type)) {
      return true;
    }
    // A value set on this node is stored under its runtime class; a read naming a supertype or
    // the same class can still use it.
    return type.type() instanceof Class<?> c && (entry.value == null || c.isInstance(entry.value));
  }

  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    return getAll(keys, ref(type));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Map<String, T> getAll(Collection<String> keys, TypeRef<T> type) {
    // One slot per distinct key, in the caller's order; per-key work stays allocation-light
    // because a batch of 100 L2 hits costs little more than one round trip plus 100 decodes.
    Set<String> distinct = LinkedHashSet.newLinkedHashSet(keys.size());
    distinct.addAll(keys);
    String[] unique = distinct.toArray(String[]::new);
    for (String key : unique) {
      CacheKeys.requireValidKey(key);
    }
    @Nullable Object[] values = new Object[unique.length];
    long now = CoarseClock.read();
    int[] missing = new int[unique.length];
    int missingCount = 0;
    for (int i = 0; i < unique.length; i++) {
      L1Entry entry = l1.get(unique[i], now);
      if (entry != null && entry.isFresh(now) && accepts(entry, type)) {
        values[i] = entry.value;
      } else {
        missing[missingCount++] = i;
      }
    }
    meters.l1Hit.increment(unique.length - missingCount);
    if (missingCount > 0) {
      meters.l1Miss.increment(missingCount);
      readMissingFromL2(unique, missing, missingCount, values, type, now);
    }
    Map<String, T> found = LinkedHashMap.newLinkedHashMap(unique.length);
    for (int i = 0; i < unique.length; i++) {
      if (values[i] != null) {
        @SuppressWarnings("unchecked")
        T value = (T) values[i];
        found.put(unique[i], value);
      }
    }
    return found;
  }

  /** Fills {@code values} at the {@code missing} positions from one L2 read, and L1 with them. */
  private <T> void readMissingFromL2(String[] unique, int[] missing, int missingCount, @Nullable Object[] values,
      TypeRef<T> type, long startNanos) {
    List<String> keys = new ArrayList<>(missingCount);
    L1.Stamp[] stamps = new L1.Stamp[missingCount];
    for (int m = 0; m < missingCount; m++) {
      String key = unique[missing[m]];
      keys.add(key);
      stamps[m] = l1.stamp(key);
    }
    int hits = 0;
    try {
      List<KeyValue<String, byte[]>> read = l2.mget(keys);
      long nowMillis = System.currentTimeMillis();
      for (int m = 0; m < missingCount; m++) {
        String key = keys.get(m);
        KeyValue<String, byte[]> kv = read.get(m);
        Envelope envelope = kv.hasValue() ? decodeEnvelope(key, kv.getValue()) : null;
        Decoded<T> decoded = envelope != null && envelope.isFresh(nowMillis) ? decodeValue(key, envelope, type) : null;
        if (decoded != null) {
          hits++;
          l1.putIfUnchanged(key, decoded.entry, stamps[m]);
          values[missing[m]] = decoded.value;
        }
      }
      meters.l2Hit.increment(hits);
      meters.l2Miss.increment(missingCount - hits);
    } catch (RedisUnavailableException e) {
      log.debug("getAll served from L1 only: {}", e.getMessage());
    } finally {
      meters.operation("getAll").record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  // --------------------------------------------------------------------------------- writes

  @Override
  public void set(String key, Object value, CacheOptions options) {
    CacheKeys.requireValidKey(key);
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(options, "options");
    long start = System.nanoTime();
    Prepared prepared = prepare(key, value, options, TYPE_REFS.get(value.getClass()));
    try {
      l2.call("set", redis -> ordered(
          l2.setAsync(redis, key, prepared.bytes, prepared.redisTtlMillis, options.tagArray()),
          () -> logOrThrow().append(redis, InvalidationLog.KEYS, key, "")));
      installAfterWrite(key, prepared.entry);
    } catch (RedisUnavailableException e) {
      pending.addKeys(List.of(key));
      installAfterWrite(key, prepared.entry.capped(start + config.degradedL1Ttl().toNanos()));
    } finally {
      setTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    emit(InvalidationEvent.Kind.KEYS, List.of(key), List.of(), null, nodeId, true);
  }

  @Override
  public void setAll(Map<String, ?> entries, CacheOptions options) {
    Objects.requireNonNull(options, "options");
    entries.keySet().forEach(CacheKeys::requireValidKey);
    long start = System.nanoTime();
    Map<String, Prepared> prepared = new LinkedHashMap<>();
    entries.forEach((key, value) -> prepared.put(key,
        prepare(key, Objects.requireNonNull(value, "value for " + key), options, TYPE_REFS.get(value.getClass()))));
    List<String> keys = List.copyOf(prepared.keySet());
    try {
      l2.call("setAll", redis -> {
        List<CompletionStage<?>> writes = new ArrayList<>();
        prepared.forEach((key, p) -> writes.add(l2.setAsync(redis, key, p.bytes, p.redisTtlMillis, options.tagArray())));
        return ordered(allOf(writes), () -> appendKeys(redis, keys, new String[0]));
      });
      prepared.forEach((key, p) -> installAfterWrite(key, p.entry));
    } catch (RedisUnavailableException e) {
      pending.addKeys(keys);
      long cap = start + config.degradedL1Ttl().toNanos();
      prepared.forEach((key, p) -> installAfterWrite(key, p.entry.capped(cap)));
    } finally {
      meters.operation("setAll").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    emit(InvalidationEvent.Kind.KEYS, keys, List.of(), null, nodeId, true);
  }

  /**
   * After a write reached L2: drop the old L1 entry (moving the generation, so fills that read L2
   * before the write cannot land), then install the new value unless yet another write came.
   */
  private void installAfterWrite(String key, L1Entry entry) {
    l1.invalidate(key);
    l1.putIfUnchanged(key, entry, l1.stamp(key));
  }

  @Override
  public void delete(String key) {
    invalidateKeys(key);
  }

  @Override
  public void invalidateKeys(String... keys) {
    List<String> list = List.of(keys);
    list.forEach(CacheKeys::requireValidKey);
    if (list.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      sendKeyInvalidation(list);
    } catch (RedisUnavailableException e) {
      pending.addKeys(list);
    } finally {
      meters.operation("delete").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    list.forEach(l1::invalidate);
    emit(InvalidationEvent.Kind.KEYS, list, List.of(), null, nodeId, true);
  }

  @Override
  public long invalidateTags(String... tags) {
    for (String tag : tags) {
      CacheKeys.requireValidTag(tag);
    }
    if (tags.length == 0) {
      return 0;
    }
    long start = System.nanoTime();
    long deleted = 0;
    List<String> keys = new ArrayList<>();
    try {
      deleted = sendTagInvalidation(tags, keys);
    } catch (RedisUnavailableException e) {
      pending.addTags(tags);
    } finally {
      meters.operation("invalidateTags").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    keys.forEach(l1::invalidate);
    l1.invalidateTagged(tags);
    emit(InvalidationEvent.Kind.TAGS, keys, List.of(tags), null, nodeId, true);
    return deleted;
  }

  @Override
  public long invalidatePattern(String pattern) {
    CacheKeys.requireValidPattern(pattern);
    long start = System.nanoTime();
    long deleted = 0;
    try {
      deleted = sendPatternInvalidation(pattern);
    } catch (RedisUnavailableException e) {
      pending.addPattern(pattern);
    } finally {
      meters.operation("invalidatePattern").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    l1.invalidateIf(key -> KeyPattern.matches(pattern, key));
    emit(InvalidationEvent.Kind.PATTERN, List.of(), List.of(), pattern, nodeId, true);
    return deleted;
  }

  @Override
  public List<String> keys(String pattern) {
    CacheKeys.requireValidPattern(pattern);
    List<String> keys = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = l2.scan(cursor, pattern);
      for (String valueKey : page.getKeys()) {
        String key = l2.cacheKeyOf(valueKey);
        if (key != null) {
          keys.add(key);
        }
      }
      cursor = page;
    } while (!cursor.isFinished());
    return keys;
  }

  /** Deletes {@code keys} in L2 and logs their invalidation for the other nodes. */
  private void sendKeyInvalidation(List<String> keys) {
    l2.call("delete", redis -> {
      List<CompletionStage<?>> deletes = new ArrayList<>();
      for (String key : keys) {
        deletes.add(l2.deleteAsync(redis, key));
      }
      return ordered(allOf(deletes), () -> appendKeys(redis, keys, new String[0]));
    });
  }

  /**
   * Deletes the entries tagged {@code tags} in L2 and logs their invalidation; adds the keys it
   * found to {@code invalidated}, and returns how many entries it deleted.
   */
  private long sendTagInvalidation(String[] tags, List<String> invalidated) {
    List<String> keys = l2.invalidateTags(tags);
    invalidated.addAll(keys);
    long deleted = l2.deleteAll(keys);
    for (String tag : tags) {
      l2.removeFromTag(tag, keys);
    }
    l2.call("log tag invalidation", redis -> appendKeys(redis, keys, tags));
    return deleted;
  }

  /** Deletes the L2 entries whose keys match {@code pattern} and logs the invalidation; returns how many. */
  private long sendPatternInvalidation(String pattern) {
    // The epoch moves first: a fill under way that the scan below misses will see it moved.
    l2.bumpEpoch();
    long deleted = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = l2.scan(cursor, pattern);
      List<String> keys = new ArrayList<>();
      for (String valueKey : page.getKeys()) {
        String key = l2.cacheKeyOf(valueKey);
        if (key != null) {
          keys.add(key);
        }
      }
      deleted += l2.deleteAll(keys);
      cursor = page;
    } while (!cursor.isFinished());
    l2.call("log pattern invalidation", redis -> logOrThrow().append(redis, InvalidationLog.PATTERN, pattern, ""));
    return deleted;
  }

  private CompletionStage<?> appendKeys(RedisClusterAsyncCommands<String, byte[]> redis, List<String> keys, String[] tags) {
    InvalidationLog logger = logOrThrow();
    String tagText = String.join(" ", tags);
    List<CompletionStage<?>> appends = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += EVENT_CHUNK) {
      List<String> chunk = keys.subList(from, Math.min(keys.size(), from + EVENT_CHUNK));
      appends.add(logger.append(redis, InvalidationLog.KEYS, String.join(" ", chunk), tagText));
    }
    if (appends.isEmpty() && tags.length > 0) {
      appends.add(logger.append(redis, InvalidationLog.KEYS, "", tagText));
    }
    return allOf(appends);
  }

  /**
   * Runs {@code then} (the log entry) after {@code first} (the writes it describes). In a cluster
   * they may reach different shards, so the entry is sent only once the writes are acknowledged.
   *
   * <p>On one connection to one server, Redis executes commands in the order sent, so both are
   * pipelined, with one exception: a write that is a script Redis does not know (NOSCRIPT, after
   * a restart, a failover or SCRIPT FLUSH) is sent again whole, behind the entry. A peer that read
   * L2 between the two would cache the old value after its invalidation, for good. Replies come
   * in order, so an entry already answered when the writes complete shows this happened; the entry
   * is then appended again, after the writes. (It may also be appended twice when both replies
   * came before this method returned: harmless, invalidations are idempotent.)
   */
  private CompletionStage<?> ordered(CompletionStage<?> first, Supplier<CompletionStage<?>> then) {
    if (!orderedPipeline) {
      return first.thenCompose(ignored -> then.get());
    }
    CompletableFuture<?> second = then.get().toCompletableFuture();
    return first.thenCompose(ignored -> (second.isDone() ? then.get() : second).thenApply(Object.class::cast));
  }

  private static CompletionStage<?> allOf(List<CompletionStage<?>> stages) {
    return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
  }

  // ---------------------------------------------------------------------------- getOrLoad

  @Override
  public <T> @Nullable T getOrLoad(String key, Class<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    return getOrLoad(key, ref(type), loader, options);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T getOrLoad(String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(options, "options");
    long now = CoarseClock.read();
    L1Entry entry = key == null ? null : l1.get(key, now);
    if (entry != null && accepts(entry, type)) {
      if (entry.isFresh(now)) {
        meters.l1Hit.increment();
        if (entry.dueForRefresh(now, options.refreshAheadFraction())) {
          refreshInBackground(key, type, loader, options);
        }
        return (T) entry.value;
      }
      if (entry.isServableStale(now)) {
        meters.l1Hit.increment();
        meters.staleRevalidate.increment();
        refreshInBackground(key, type, loader, options);
        return (T) entry.value;
      }
    }
    CacheKeys.requireValidKey(key);
    meters.l1Miss.increment();
    now = System.nanoTime();
    Flight flight = new Flight(key, type);
    CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
    CompletableFuture<@Nullable Object> leader = inflight.putIfAbsent(flight, mine);
    if (leader != null) {
      return (T) join(leader);
    }
    try {
      T value = loadThroughTiers(key, type, loader, options, entry, now);
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(flight, mine);
      getOrLoadTimer.record(System.nanoTime() - now, TimeUnit.NANOSECONDS);
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

  /** Everything that can still answer if the loader fails. */
  private record Fallback(@Nullable L1Entry l1, @Nullable Envelope l2) {}

  private <T> @Nullable T loadThroughTiers(String key, TypeRef<T> type, CacheLoader<? extends T> loader,
      CacheOptions options, @Nullable L1Entry staleL1, long startNanos) {
    L1.Stamp stamp = l1.stamp(key);
    Envelope staleL2 = null;
    try {
      long waitUntil = startNanos + 3 * leaseNanos;
      boolean valuePresent = false;
      boolean firstLook = true;
      while (true) {
        byte[] bytes = l2.get(key);
        Envelope envelope = bytes == null ? null : decodeEnvelope(key, bytes);
        if (envelope != null) {
          Hit<T> hit = serveFromL2(key, type, loader, options, envelope, stamp);
          if (hit != null) {
            return hit.value;
          }
          staleL2 = envelope;
        }
        // A value that is there but cannot serve (expired, corrupt, another type) is replaced
        // under the lease like a missing one: ask for the lease even though a value exists.
        valuePresent = bytes != null;
        if (firstLook) {
          meters.l2Miss.increment();
          firstLook = false;
        }
        CompletableFuture<Void> woken = waiters.register(key);
        String token = nodeId + ":" + tokens.incrementAndGet();
        RedisTier.Acquired acquired = l2.acquire(key, token, valuePresent, options.tagArray());
        if (acquired.value() != null && !acquired.granted()) {
          Envelope now = decodeEnvelope(key, acquired.value());
          Hit<T> hit = now == null ? null : serveFromL2(key, type, loader, options, now, stamp);
          if (hit != null) {
            waiters.forget(key, woken);
            return hit.value;
          }
          if (!valuePresent) {
            // written between our GET and the script, and not servable: ask again, forcing the lease
            waiters.forget(key, woken);
            continue;
          }
        }
        if (acquired.granted()) {
          waiters.forget(key, woken);
          return loadAndFill(key, type, loader, options, stamp, token, acquired, new Fallback(staleL1, staleL2));
        }
        long remaining = waitUntil - System.nanoTime();
        if (remaining <= 0) {
          // The lease holder keeps renewing but never fills: load without it rather than hang.
          waiters.forget(key, woken);
          log.warn("Waited {} ms for another node to load '{}'; loading here", TimeUnit.NANOSECONDS.toMillis(3 * leaseNanos), key);
          return loadLocally(key, type, loader, options, stamp, new Fallback(staleL1, staleL2));
        }
        awaitWake(woken, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(acquired.leasePttlMillis() + 20)));
        waiters.forget(key, woken);
      }
    } catch (RedisUnavailableException e) {
      log.debug("getOrLoad('{}') without Redis: {}", key, e.getMessage());
      return loadLocally(key, type, loader, options, stamp, new Fallback(staleL1, staleL2));
    }
  }

  private record Hit<T>(@Nullable T value) {}

  /** Answers from an L2 envelope if it is fresh, or stale inside its revalidation window. */
  private <T> @Nullable Hit<T> serveFromL2(String key, TypeRef<T> type, CacheLoader<? extends T> loader,
      CacheOptions options, Envelope envelope, L1.Stamp stamp) {
    long nowMillis = System.currentTimeMillis();
    boolean fresh = envelope.isFresh(nowMillis);
    if (!fresh && !envelope.isServableStale(nowMillis)) {
      return null;
    }
    Decoded<T> decoded = decodeValue(key, envelope, type);
    if (decoded == null) {
      return null;
    }
    meters.l2Hit.increment();
    l1.putIfUnchanged(key, decoded.entry, stamp);
    if (!fresh) {
      meters.staleRevalidate.increment();
      refreshInBackground(key, type, loader, options);
    } else if (decoded.entry.dueForRefresh(System.nanoTime(), options.refreshAheadFraction())) {
      refreshInBackground(key, type, loader, options);
    }
    return new Hit<>(decoded.value);
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
  private <T> @Nullable T loadAndFill(String key, TypeRef<T> type, CacheLoader<? extends T> loader,
      CacheOptions options, L1.Stamp stamp, String token, RedisTier.Acquired acquired, Fallback fallback) {
    long renewEvery = Math.max(1, leaseNanos / 3);
    ScheduledFuture<?> renewal = scheduler.scheduleAtFixedRate(() -> {
      try {
        l2.renew(key, token);
      } catch (RuntimeException e) {
        log.debug("lease renewal for '{}' failed: {}", key, e.toString());
      }
    }, renewEvery, renewEvery, TimeUnit.NANOSECONDS);
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
    Prepared prepared = value == null && options.absentTtlOrNull() == null ? null : prepareLoaded(key, value, options, type);
    if (prepared == null) {
      releaseQuietly(key, token);
      return value;
    }
    RedisTier.FillResult result;
    try {
      result = l2.fill(key, token, acquired, prepared.bytes, prepared.redisTtlMillis, options.tagArray());
      l2.call("log fill", redis -> logOrThrow().append(redis, InvalidationLog.FILL, key, ""));
    } catch (RedisUnavailableException e) {
      // Redis went away during the load: keep the value on this node only, briefly.
      l1.putIfUnchanged(key, prepared.entry.capped(System.nanoTime() + config.degradedL1Ttl().toNanos()), stamp);
      return value;
    }
    switch (result) {
      case WRITTEN -> l1.putIfUnchanged(key, prepared.entry, stamp);
      case FENCED -> meters.fillsFenced.increment();
      case LEASE_LOST -> meters.fillsLeaseLost.increment();
      case RACED_INVALIDATION -> meters.fillsTagRace.increment();
    }
    return value;
  }

  /** Loads with no L2 at all (Redis unreachable, or a lease holder that never finishes). */
  private <T> @Nullable T loadLocally(String key, TypeRef<T> type, CacheLoader<? extends T> loader,
      CacheOptions options, L1.Stamp stamp, Fallback fallback) {
    T value;
    try {
      value = runLoader(key, loader);
    } catch (CacheLoadException e) {
      return serveOnError(key, type, fallback, e);
    }
    if (value != null || options.absentTtlOrNull() != null) {
      Prepared prepared = prepareLoaded(key, value, options, type);
      if (prepared != null) {
        l1.putIfUnchanged(key, prepared.entry.capped(System.nanoTime() + config.degradedL1Ttl().toNanos()), stamp);
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

  @SuppressWarnings("unchecked")
  private <T> @Nullable T serveOnError(String key, TypeRef<T> type, Fallback fallback, CacheLoadException failure) {
    long now = System.nanoTime();
    L1Entry stale = fallback.l1();
    if (stale != null && stale.isServableOnError(now) && accepts(stale, type)) {
      meters.staleOnError.increment();
      log.warn("Serving stale '{}' from L1: {}", key, failure.getMessage());
      return (T) stale.value;
    }
    Envelope staleL2 = fallback.l2();
    if (staleL2 != null && staleL2.isServableOnError(System.currentTimeMillis())) {
      Decoded<T> decoded = decodeValue(key, staleL2, type);
      if (decoded != null) {
        meters.staleOnError.increment();
        log.warn("Serving stale '{}' from L2: {}", key, failure.getMessage());
        return decoded.value;
      }
    }
    throw failure;
  }

  private void releaseQuietly(String key, String token) {
    try {
      l2.release(key, token);
      l2.call("log release", redis -> logOrThrow().append(redis, InvalidationLog.RELEASE, key, ""));
    } catch (RedisUnavailableException e) {
      log.debug("could not release the lease on '{}': {}", key, e.getMessage());
    }
  }

  private <T> void refreshInBackground(String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    if (!refreshing.add(key)) {
      return;
    }
    try {
      refresher.execute(() -> {
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

  private <T> void refresh(String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    L1.Stamp stamp = l1.stamp(key);
    String token = nodeId + ":" + tokens.incrementAndGet();
    RedisTier.Acquired acquired;
    try {
      acquired = l2.acquire(key, token, true, options.tagArray());
    } catch (RedisUnavailableException e) {
      loadLocally(key, type, loader, options, stamp, new Fallback(null, null));
      return;
    }
    if (!acquired.granted()) {
      return; // another node is refreshing it
    }
    loadAndFill(key, type, loader, options, stamp, token, acquired, new Fallback(null, null));
  }

  // ------------------------------------------------------------------------ encode / decode

  /** An encoded value ready for L2, and the L1 entry that goes with it. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  private record Prepared(byte[] bytes, long redisTtlMillis, L1Entry entry) {}

  private Prepared prepare(String key, @Nullable Object value, CacheOptions options, TypeRef<?> type) {
    long nowMillis = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    boolean absent = value == null;
    java.time.Duration ttl = absent ? Objects.requireNonNull(options.absentTtlOrNull()) : options.ttlOrNull();
    long ttlMillis = (ttl == null ? config.defaultTtl() : ttl).toMillis();
    if (options.jitterFraction() > 0) {
      ttlMillis -= (long) (ttlMillis * options.jitterFraction() * ThreadLocalRandom.current().nextDouble());
    }
    ttlMillis = Math.max(1, ttlMillis);
    long swr = absent ? 0 : options.staleWhileRevalidateWindow().toMillis();
    long sie = absent ? 0 : options.staleIfErrorWindow().toMillis();
    long freshUntil = nowMillis + ttlMillis;
    byte[] payload = value == null ? new byte[0] : codec.encode(value);
    Envelope envelope = new Envelope(absent, codec.id(), nowMillis, freshUntil, freshUntil + swr, freshUntil + sie, payload);
    byte[] bytes = envelope.encode(config.compressionThreshold(), options.compressionForced());
    if (bytes.length > config.maxValueBytes()) {
      throw new IllegalArgumentException("value for key '" + key + "' is " + bytes.length
          + " bytes encoded, above the maximum of " + config.maxValueBytes() + " (maxValueBytes)");
    }
    long nanosPerMilli = 1_000_000L;
    L1Entry entry = new L1Entry(value, type, nowNanos,
        nowNanos + ttlMillis * nanosPerMilli,
        nowNanos + (ttlMillis + swr) * nanosPerMilli,
        nowNanos + (ttlMillis + sie) * nanosPerMilli,
        ttlMillis * nanosPerMilli, options.tagArray());
    return new Prepared(bytes, ttlMillis + Math.max(swr, sie), entry);
  }

  /** Like {@link #prepare}, but a loaded value too large to cache is logged and served uncached. */
  private @Nullable Prepared prepareLoaded(String key, @Nullable Object value, CacheOptions options, TypeRef<?> type) {
    try {
      return prepare(key, value, options, type);
    } catch (IllegalArgumentException | CodecException e) {
      meters.codecErrors.increment();
      log.warn("Loaded value for '{}' is not cached: {}", key, e.getMessage());
      return null;
    }
  }

  private @Nullable Envelope decodeEnvelope(String key, byte[] bytes) {
    try {
      return Envelope.decode(bytes, config.maxValueBytes() * 16);
    } catch (CorruptEntryException e) {
      meters.corruptEntries.increment();
      log.warn("Corrupt cache entry at '{}' read as a miss: {}", key, e.getMessage());
      return null;
    }
  }

  /** A decoded value and its L1 entry. */
  private record Decoded<T>(@Nullable T value, L1Entry entry) {}

  private <T> @Nullable Decoded<T> decodeValue(String key, Envelope envelope, TypeRef<T> type) {
    if (envelope.codecId() != codec.id()) {
      meters.codecErrors.increment();
      log.warn("Entry '{}' was written with codec {} but this node uses codec {}; read as a miss", key,
          envelope.codecId(), codec.id());
      return null;
    }
    T value;
    try {
      value = envelope.absent() ? null : envelope.decodePayload(codec, type);
    } catch (CodecException e) {
      meters.codecErrors.increment();
      log.warn("Entry '{}' cannot be decoded as {}; read as a miss: {}", key, type, e.getMessage());
      return null;
    }
    long nowMillis = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    long toNanos = 1_000_000L;
    L1Entry entry = new L1Entry(value, type, nowNanos,
        nowNanos + (envelope.freshUntilMillis() - nowMillis) * toNanos,
        nowNanos + (envelope.staleUntilMillis() - nowMillis) * toNanos,
        nowNanos + (envelope.errorUntilMillis() - nowMillis) * toNanos,
        (envelope.freshUntilMillis() - envelope.createdAtMillis()) * toNanos,
        new String[0]);
    return new Decoded<>(value, entry);
  }

  // ------------------------------------------------------------------ invalidation log events

  @Override
  public void onEntry(String type, String origin, String data, String tags) {
    boolean local = logOrThrow().isLocal(origin);
    switch (type) {
      case InvalidationLog.KEYS, InvalidationLog.FILL -> {
        List<String> keys = InvalidationLog.split(data);
        for (String key : keys) {
          if (!local) {
            l1.invalidate(key);
          }
          waiters.wake(key);
        }
        if (!local && type.equals(InvalidationLog.KEYS)) {
          meters.invalidationsReceived.increment();
          List<String> tagList = InvalidationLog.split(tags);
          if (!tagList.isEmpty() && keys.isEmpty()) {
            l1.invalidateTagged(tagList.toArray(new String[0]));
          }
          emit(tagList.isEmpty() ? InvalidationEvent.Kind.KEYS : InvalidationEvent.Kind.TAGS, keys, tagList, null, origin, false);
        }
      }
      case InvalidationLog.RELEASE -> waiters.wake(data);
      case InvalidationLog.PATTERN -> {
        if (!local) {
          meters.invalidationsReceived.increment();
          l1.invalidateIf(key -> KeyPattern.matches(data, key));
          emit(InvalidationEvent.Kind.PATTERN, List.of(), List.of(), data, origin, false);
        }
      }
      default -> log.debug("Ignoring invalidation log entry of unknown type '{}'", type);
    }
  }

  @Override
  public void onLost(String reason) {
    log.warn("Invalidations may have been lost ({}); clearing L1", reason);
    meters.resync(reason);
    l1.clear();
    emit(InvalidationEvent.Kind.L1_RESYNC, List.of(), List.of(), null, nodeId, true);
  }

  @Override
  public void onFlowing(boolean flowing) {
    if (flowing) {
      // The listener just read from Redis: it is reachable again, so stop short-circuiting.
      l2.markReachable();
      l1.trust();
      replayPending();
    } else {
      l1.distrust(System.nanoTime());
    }
  }

  /**
   * Sends to L2 and the other nodes what this node could not send while Redis was unreachable.
   * This node's L1 and listeners were told when the change was made, so only Redis is involved.
   * It does not wait for the breaker to close: while the breaker is open its first call is
   * refused at once, and once the open period is over it is the breaker's probe. (Waiting for a
   * closed breaker could wait forever: nothing else on an idle node may call Redis to close it.)
   */
  void replayPending() {
    if (pending.isEmpty()) {
      return;
    }
    PendingInvalidations.Snapshot snapshot = pending.drain();
    try {
      if (snapshot.overflowed()) {
        log.warn("Too many invalidations were pending while Redis was unreachable; invalidating the whole namespace");
        sendPatternInvalidation("*");
      }
      if (!snapshot.keys().isEmpty()) {
        sendKeyInvalidation(snapshot.keys());
      }
      if (!snapshot.tags().isEmpty()) {
        sendTagInvalidation(snapshot.tags().toArray(new String[0]), new ArrayList<>());
      }
      for (String pattern : snapshot.patterns()) {
        sendPatternInvalidation(pattern);
      }
    } catch (RuntimeException e) {
      // Sending again what already went through is harmless: invalidations are idempotent.
      pending.restore(snapshot);
    }
  }

  boolean hasPendingInvalidations() {
    return !pending.isEmpty();
  }

  @Override
  public AutoCloseable onInvalidation(Consumer<InvalidationEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void emit(InvalidationEvent.Kind kind, List<String> keys, List<String> tags, @Nullable String pattern,
      String origin, boolean local) {
    if (listeners.isEmpty()) {
      return;
    }
    InvalidationEvent event = new InvalidationEvent(kind, keys, tags, pattern, origin, local);
    for (Consumer<InvalidationEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        meters.listenerErrors.increment();
        log.error("Invalidation listener failed", e);
      }
    }
  }
}
