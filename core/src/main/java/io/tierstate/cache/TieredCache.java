package io.tierstate.cache;

import io.tierstate.codec.TypeRef;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A two-tier cache: an in-process L1 (Caffeine) in front of a shared L2 (Redis), kept coherent
 * across every node of the service. Reads try L1, then L2, then (for {@code getOrLoad}) the loader;
 * writes go to L2 and tell every other node to drop its L1 copy.
 *
 * <p>Keys are plain strings such as {@code tenant:42:user:7}; {@link io.tierstate.keys.CacheKeys}
 * builds tenant-isolated ones. Values are encoded by the configured codec (JSON by default) and
 * decoded into the type the caller names, never a type read from Redis. Values served from L1 are
 * shared between callers: cache immutable values (records).
 *
 * <p>When Redis is unreachable the cache keeps answering from L1 and loaders with short-lived L1
 * entries, and recovers by itself (see docs/guarantees.md).
 *
 * <p>Thread-safe.
 */
public interface TieredCache {

  /**
   * The fresh value cached under {@code key}, if any.
   *
   * @throws IllegalArgumentException if the key is invalid
   */
  <T> Optional<T> get(String key, Class<T> type);

  /**
   * The fresh value cached under {@code key}, decoded as a generic type.
   *
   * @throws IllegalArgumentException if the key is invalid
   */
  <T> Optional<T> get(String key, TypeRef<T> type);

  /**
   * Caches a value on every tier and invalidates other nodes' L1 copies.
   *
   * @throws IllegalArgumentException if the key is invalid or the encoded value is larger than the
   *     configured maximum; nothing is written then
   * @throws io.tierstate.codec.CodecException if the value cannot be encoded
   */
  void set(String key, Object value, CacheOptions options);

  /** Caches a value with the default options. */
  default void set(String key, Object value) {
    set(key, value, CacheOptions.defaults());
  }

  /**
   * Removes a key from every tier on every node.
   *
   * @throws IllegalArgumentException if the key is invalid
   */
  void delete(String key);

  /**
   * The fresh values cached under {@code keys}, in one round trip to Redis for those L1 misses.
   * Keys with no fresh value are left out of the map, which iterates in the order of {@code keys}.
   *
   * @throws IllegalArgumentException if a key is invalid
   */
  <T> Map<String, T> getAll(Collection<String> keys, Class<T> type);

  /**
   * Like {@link #getAll(Collection, Class)} for a generic type.
   *
   * @throws IllegalArgumentException if a key is invalid
   */
  <T> Map<String, T> getAll(Collection<String> keys, TypeRef<T> type);

  /**
   * Caches several values with the same options, in one round trip to Redis.
   *
   * @throws IllegalArgumentException if a key is invalid or a value too large; nothing is written
   *     then
   */
  void setAll(Map<String, ?> entries, CacheOptions options);

  /**
   * The cached value, or the loader's result cached on every tier. Concurrent misses on one key, on
   * any number of nodes, run the loader once: one node holds a lease in Redis while the others wait
   * for its value. Honours refresh-ahead, stale-while-revalidate, stale-if-error and cached absence
   * from {@code options}.
   *
   * @return the value, or null when the loader found nothing
   * @throws IllegalArgumentException if the key is invalid
   * @throws CacheLoadException if the loader failed and no stale value could be served
   */
  <T> @Nullable T getOrLoad(
      String key, Class<T> type, CacheLoader<? extends T> loader, CacheOptions options);

  /**
   * Like {@link #getOrLoad(String, Class, CacheLoader, CacheOptions)} for a generic type.
   *
   * @throws IllegalArgumentException if the key is invalid
   * @throws CacheLoadException if the loader failed and no stale value could be served
   */
  <T> @Nullable T getOrLoad(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options);

  /**
   * Invalidates every key carrying one of these tags, on every tier and node.
   *
   * @return how many keys were removed from Redis
   * @throws IllegalArgumentException if a tag is invalid
   */
  long invalidateTags(String... tags);

  /**
   * What this node's L1 and Redis hold for {@code key}: whether each tier has it, its remaining TTL
   * in Redis, size, compression, write fence and tags. For operators (a key inspector), not for the
   * read path: it reads Redis every time, leaves L1's statistics and expiry untouched, and decodes
   * no value.
   *
   * @throws IllegalArgumentException if the key is invalid
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  KeyInspection inspect(String key);

  /**
   * The keys cached in L2 that match a glob pattern ({@code *} any run of characters, {@code ?}
   * one), found with SCAN, never KEYS: for callers that must enumerate a key space they own, such
   * as a JCache cache's iterator. A key written or deleted during the scan may or may not be
   * listed.
   *
   * @throws IllegalArgumentException if the pattern is invalid
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  List<String> keys(String pattern);

  /**
   * This node's cache regions ({@link CacheOptions#region}) with what each did since it was first
   * used here, in the order they were first used. A node accepts at most {@value #MAX_REGIONS}
   * regions: the first call that names one more fails with an {@link IllegalStateException} that
   * names the bound, and nothing is cached then.
   */
  List<CacheRegion> regions();

  /** How many distinct regions one node accepts. */
  int MAX_REGIONS = 64;

  /**
   * The keys this node reads most now, at most {@value #MAX_HOT_KEYS}, hottest first, each with its
   * estimated reads per second. Every read counts ({@code get}, {@code getAll}, {@code getOrLoad};
   * L1 hit or not), but only one in {@link io.tierstate.TierstateConfig#hotKeySampling()} is looked
   * at: the estimate is scaled back from that sample and decays with a half-life of {@link
   * #HOT_KEY_HALF_LIFE}, so a key that stops being read leaves the list within a minute or so. A
   * key needs a couple of sampled reads to be listed. Empty while sampling is off (after {@link
   * #hotKeySampling} turned it off, the keys listed fade out).
   *
   * <p>The node's heartbeat carries this list ({@link io.tierstate.nodes.ClusterNode#hotKeys()}),
   * so any node can show every node's hot keys; {@link HotKey#merge} adds them up.
   */
  List<HotKey> hotKeys();

  /**
   * Changes, from now on, how many reads this node samples for {@link #hotKeys()}: one in {@code
   * oneIn}, or none with 0; the node starts at {@link
   * io.tierstate.TierstateConfig#hotKeySampling()}. Estimates stay right across a change (each
   * sampled read weighs the rate it was drawn at). For an operator who wants hot keys only while
   * investigating, or to measure what sampling costs on a running node.
   *
   * @throws IllegalArgumentException if {@code oneIn} is negative
   */
  void hotKeySampling(int oneIn);

  /** How many keys {@link #hotKeys()} lists at most. */
  int MAX_HOT_KEYS = 20;

  /**
   * How fast a hot key's rate fades: a key read at a steady rate that stops being read shows half
   * that rate this much later.
   */
  Duration HOT_KEY_HALF_LIFE = Duration.ofSeconds(10);
}
