package io.tierstate.internal.cache;

import io.micrometer.core.instrument.Timer;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.CacheRegion;
import io.tierstate.cache.HotKey;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.cache.Invalidator;
import io.tierstate.cache.KeyInspection;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.TypeRef;
import io.tierstate.internal.hotkeys.HotKeySampler;
import io.tierstate.keys.CacheKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiered cache: reads go L1 → L2 (→ the {@link LoadCoordinator load protocol} for {@code
 * getOrLoad}); writes go to L2 with their log entry, then this node's L1. Invalidations are the
 * {@link InvalidationSender}'s. See {@link L1} for how L1 stays coherent, {@link RedisTier} for the
 * Redis layout, and {@link InvalidationLog} for how other nodes learn of writes. Thread-safe.
 */
final class DefaultTieredCache implements TieredCache, Invalidator {
  private static final Logger log = LoggerFactory.getLogger(DefaultTieredCache.class);
  private static final ClassValue<TypeRef<?>> TYPE_REFS =
      new ClassValue<>() {
        @Override
        protected TypeRef<?> computeValue(Class<?> type) {
          return TypeRef.of(type);
        }
      };

  private final L1 l1;
  private final L2 l2;
  private final EntryCodec entries;
  private final LoadCoordinator loads;
  private final InvalidationSender invalidations;
  private final InvalidationEvents events;
  private final CacheMeters meters;
  private final Regions regions;
  private final HotKeySampler hotKeys;
  private final String nodeId;
  private final long degradedL1TtlNanos;
  private final int maxPayloadBytes;
  private final Timer getTimer;
  private final Timer getAllTimer;
  private final Timer setTimer;
  private final Timer setAllTimer;

  DefaultTieredCache(
      TierstateConfig config,
      L1 l1,
      L2 l2,
      EntryCodec entries,
      LoadCoordinator loads,
      InvalidationSender invalidations,
      InvalidationEvents events,
      CacheMeters meters,
      Regions regions,
      HotKeySampler hotKeys) {
    this.l1 = l1;
    this.l2 = l2;
    this.entries = entries;
    this.loads = loads;
    this.invalidations = invalidations;
    this.events = events;
    this.meters = meters;
    this.regions = regions;
    this.hotKeys = hotKeys;
    this.nodeId = config.nodeId();
    this.degradedL1TtlNanos = config.degradedL1Ttl().toNanos();
    this.maxPayloadBytes = (int) Math.min(Integer.MAX_VALUE, config.maxValueBytes() * 16L);
    this.getTimer = meters.operation("get");
    this.getAllTimer = meters.operation("getAll");
    this.setTimer = meters.operation("set");
    this.setAllTimer = meters.operation("setAll");
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
    // An L1 hit allocates nothing: the entry holds its Optional.
    long now = CoarseClock.read();
    L1Entry entry = key == null ? null : l1.get(key, now);
    if (entry != null && entry.isFresh(now) && entry.accepts(type)) {
      meters.l1Hit.increment();
      Region region = entry.region;
      if (region != null) {
        region.l1Hit();
      }
      hotKeys.read(key);
      return (Optional<T>) entry.optional;
    }
    CacheKeys.requireValidKey(key);
    hotKeys.read(key);
    meters.l1Miss.increment();
    // Without options, only an entry still in L1 (expired, another type) tells the region.
    Region region = entry == null ? null : entry.region;
    if (region != null) {
      region.l1Miss();
    }
    now = System.nanoTime();
    L1.Stamp stamp = l1.stamp(key);
    byte[] bytes;
    try {
      bytes = l2.get(key);
    } catch (RedisUnavailableException e) {
      return Optional.empty();
    }
    try {
      Envelope envelope = bytes == null ? null : entries.decodeEnvelope(key, bytes);
      if (envelope == null || !envelope.isFresh(System.currentTimeMillis())) {
        meters.l2Miss.increment();
        return Optional.empty();
      }
      EntryCodec.Decoded<T> decoded = entries.decodeValue(key, envelope, type, region);
      if (decoded == null) {
        meters.l2Miss.increment();
        return Optional.empty();
      }
      meters.l2Hit.increment();
      if (region != null) {
        region.l2Hit();
      }
      l1.putIfUnchanged(key, decoded.entry(), stamp);
      return Optional.ofNullable(decoded.value());
    } finally {
      getTimer.record(System.nanoTime() - now, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, Class<T> type) {
    return getAll(keys, ref(type));
  }

  @Override
  public <T> Map<String, T> getAll(Collection<String> keys, TypeRef<T> type) {
    // One slot per distinct key, in the caller's order; per-key work stays allocation-light
    // because a batch of 100 L2 hits costs little more than one round trip plus 100 decodes.
    Set<String> distinct = LinkedHashSet.newLinkedHashSet(keys.size());
    distinct.addAll(keys);
    String[] unique = distinct.toArray(String[]::new);
    for (String key : unique) {
      CacheKeys.requireValidKey(key);
    }
    for (String key : unique) {
      hotKeys.read(key);
    }
    @Nullable Object[] values = new Object[unique.length];
    long now = CoarseClock.read();
    int[] missing = new int[unique.length];
    int missingCount = 0;
    for (int i = 0; i < unique.length; i++) {
      L1Entry entry = l1.get(unique[i], now);
      if (entry != null && entry.isFresh(now) && entry.accepts(type)) {
        values[i] = entry.value;
        if (entry.region != null) {
          entry.region.l1Hit();
        }
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
  private <T> void readMissingFromL2(
      String[] unique,
      int[] missing,
      int missingCount,
      @Nullable Object[] values,
      TypeRef<T> type,
      long startNanos) {
    List<String> keys = new ArrayList<>(missingCount);
    L1.Stamp[] stamps = new L1.Stamp[missingCount];
    for (int m = 0; m < missingCount; m++) {
      String key = unique[missing[m]];
      keys.add(key);
      stamps[m] = l1.stamp(key);
    }
    int hits = 0;
    try {
      List<byte @Nullable []> read = l2.getAll(keys);
      long nowMillis = System.currentTimeMillis();
      for (int m = 0; m < missingCount; m++) {
        String key = keys.get(m);
        byte[] bytes = read.get(m);
        Envelope envelope = bytes != null ? entries.decodeEnvelope(key, bytes) : null;
        EntryCodec.Decoded<T> decoded =
            envelope != null && envelope.isFresh(nowMillis)
                ? entries.decodeValue(key, envelope, type, null)
                : null;
        if (decoded != null) {
          hits++;
          l1.putIfUnchanged(key, decoded.entry(), stamps[m]);
          values[missing[m]] = decoded.value();
        }
      }
      meters.l2Hit.increment(hits);
      meters.l2Miss.increment(missingCount - hits);
    } catch (RedisUnavailableException e) {
      log.debug("getAll served from L1 only: {}", e.getMessage());
    } finally {
      getAllTimer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  // --------------------------------------------------------------------------------- writes

  @Override
  public void set(String key, Object value, CacheOptions options) {
    CacheKeys.requireValidKey(key);
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(options, "options");
    long start = System.nanoTime();
    EntryCodec.Prepared prepared =
        entries.prepare(key, value, options, TYPE_REFS.get(value.getClass()));
    try {
      l2.setAndLog(
          List.of(new L2.Write(key, prepared.bytes(), prepared.redisTtlMillis())),
          options.tagArray());
      installAfterWrite(key, prepared.entry());
    } catch (RedisUnavailableException e) {
      invalidations.holdBack(List.of(key));
      installAfterWrite(key, prepared.entry().capped(start + degradedL1TtlNanos));
    } finally {
      setTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    events.emit(InvalidationEvent.Kind.KEYS, List.of(key), List.of(), null, nodeId, true);
  }

  @Override
  public void setAll(Map<String, ?> entries, CacheOptions options) {
    Objects.requireNonNull(options, "options");
    entries.keySet().forEach(CacheKeys::requireValidKey);
    long start = System.nanoTime();
    Map<String, EntryCodec.Prepared> prepared = new LinkedHashMap<>();
    entries.forEach(
        (key, value) ->
            prepared.put(
                key,
                this.entries.prepare(
                    key,
                    Objects.requireNonNull(value, "value for " + key),
                    options,
                    TYPE_REFS.get(value.getClass()))));
    List<String> keys = List.copyOf(prepared.keySet());
    List<L2.Write> writes = new ArrayList<>(prepared.size());
    prepared.forEach((key, p) -> writes.add(new L2.Write(key, p.bytes(), p.redisTtlMillis())));
    try {
      l2.setAndLog(writes, options.tagArray());
      prepared.forEach((key, p) -> installAfterWrite(key, p.entry()));
    } catch (RedisUnavailableException e) {
      invalidations.holdBack(keys);
      long cap = start + degradedL1TtlNanos;
      prepared.forEach((key, p) -> installAfterWrite(key, p.entry().capped(cap)));
    } finally {
      setAllTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    events.emit(InvalidationEvent.Kind.KEYS, keys, List.of(), null, nodeId, true);
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
    invalidations.invalidateKeys(key);
  }

  @Override
  public void invalidateKeys(String... keys) {
    invalidations.invalidateKeys(keys);
  }

  @Override
  public long invalidateTags(String... tags) {
    return invalidations.invalidateTags(tags);
  }

  @Override
  public long invalidate(Collection<String> keys, Collection<String> tags) {
    return invalidations.invalidate(List.copyOf(keys), tags.toArray(String[]::new));
  }

  @Override
  public void invalidateDurably(Collection<String> keys, Collection<String> tags) {
    invalidations.invalidateDurably(List.copyOf(keys), List.copyOf(tags));
  }

  @Override
  public long invalidatePattern(String pattern) {
    return invalidations.invalidatePattern(pattern);
  }

  @Override
  public List<CacheRegion> regions() {
    return regions.snapshot();
  }

  @Override
  public List<HotKey> hotKeys() {
    return hotKeys.top(MAX_HOT_KEYS);
  }

  @Override
  public void hotKeySampling(int oneIn) {
    hotKeys.sampling(oneIn);
  }

  @Override
  public long invalidateRegion(String region) {
    return invalidations.invalidateTags(CacheKeys.regionTag(region));
  }

  @Override
  public KeyInspection inspect(String key) {
    CacheKeys.requireValidKey(key);
    L1Entry local = l1.peek(key);
    // An entry only in Redis: ask the tag sets of the regions this node knows (at most
    // MAX_REGIONS, one SISMEMBER each in the same round trip); L1's entry names its own.
    List<String> regionNames = local != null ? List.of() : regions.names();
    List<String> regionTags = regionNames.stream().map(CacheKeys::regionTag).toList();
    L2.Stored stored = l2.inspect(key, regionTags);
    String listedIn = stored.tag();
    String region = listedIn == null ? null : regionNames.get(regionTags.indexOf(listedIn));
    return KeyInspections.of(
        key, local, stored.value(), stored.pttlMillis(), stored.fence(), region, maxPayloadBytes);
  }

  @Override
  public List<String> keys(String pattern) {
    CacheKeys.requireValidPattern(pattern);
    return l2.keysMatching(pattern);
  }

  @Override
  public AutoCloseable onInvalidation(Consumer<InvalidationEvent> listener) {
    return events.add(listener);
  }

  // ---------------------------------------------------------------------------- getOrLoad

  @Override
  public <T> @Nullable T getOrLoad(
      String key, Class<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    return getOrLoad(key, ref(type), loader, options);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> @Nullable T getOrLoad(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(options, "options");
    long now = CoarseClock.read();
    L1Entry entry = key == null ? null : l1.get(key, now);
    if (entry != null && entry.accepts(type)) {
      if (entry.isFresh(now)) {
        meters.l1Hit.increment();
        if (entry.region != null) {
          entry.region.l1Hit();
        }
        hotKeys.read(key);
        if (entry.dueForRefresh(now, options.refreshAheadFraction())) {
          loads.refreshInBackground(key, type, loader, options);
        }
        return (T) entry.value;
      }
      if (entry.isServableStale(now)) {
        meters.l1Hit.increment();
        if (entry.region != null) {
          entry.region.l1Hit();
        }
        hotKeys.read(key);
        meters.staleRevalidate.increment();
        loads.refreshInBackground(key, type, loader, options);
        return (T) entry.value;
      }
    }
    CacheKeys.requireValidKey(key);
    hotKeys.read(key);
    // Resolved before the loader runs: one region past the bound fails here, having done nothing.
    Region region = entries.region(options);
    meters.l1Miss.increment();
    if (region != null) {
      region.l1Miss();
    }
    return loads.load(key, type, loader, options, entry);
  }

  /** Whether a caller on this node waits for another node's load of {@code key} (for tests). */
  boolean waitsForLease(String key) {
    return loads.waitsForLease(key);
  }
}
