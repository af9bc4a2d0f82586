package io.tierstate.patterns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MeterNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Namespace versions: keys built with a namespace's current version, so bumping the version
 * invalidates the whole namespace in O(1). Old keys are no longer reached and expire by their TTL.
 * Obtain it from {@code Tierstate.namespaces()}.
 *
 * <pre>{@code
 * String key = ts.namespaces().key("catalog", "product:7");   // "catalog:v3:product:7"
 * ts.cache().set(key, product, CacheOptions.ttl(Duration.ofMinutes(10)));
 * ts.namespaces().bump("catalog");                              // every "catalog:v3:..." key is gone
 * }</pre>
 *
 * <p><b>Where the version lives.</b> In Redis under {@code <config namespace>:nsv:{<namespace>}}
 * (absent means 0), moved by {@code INCR}. Each node reads it through the tiered cache (cache key
 * {@code tierstate-nsv:<namespace>}, TTL {@link #VERSION_TTL}), so {@link #key} costs an L1 hit on
 * the hot path. {@link #bump} increments the version and then deletes that cache entry, which drops
 * every node's L1 copy through the cache's coherent invalidation.
 *
 * <p><b>Staleness bound.</b> After {@code bump} returns, the bumping node builds new-version keys
 * at once; every other node does once the invalidation reaches it (milliseconds), and at the latest
 * after {@link #VERSION_TTL} even if that message were lost. A read of the version that raced with
 * a bump cannot re-cache the old version (the cache fences such fills).
 *
 * <p>A namespace is 1 to 200 characters with the rules of a cache key, without {@code ':'}; so the
 * built key {@code namespace + ":v" + version + ":" + key} is unambiguous.
 *
 * <p>Thread-safe.
 */
public final class NamespaceVersions {
  /** How long a node may use a cached version if the bump's invalidation did not reach it. */
  public static final Duration VERSION_TTL = Duration.ofSeconds(5);

  private static final int MAX_NAMESPACE_LENGTH = 200;
  private static final String CACHE_PREFIX = "tierstate-nsv:";
  private static final CacheOptions VERSION_OPTIONS = CacheOptions.ttl(VERSION_TTL);

  private final TieredCache cache;
  private final RedisExecutor redis;
  private final String redisPrefix;
  private final Counter bumps;

  private NamespaceVersions(
      TieredCache cache, RedisExecutor redis, String configNamespace, MeterRegistry registry) {
    this.cache = cache;
    this.redis = redis;
    this.redisPrefix = configNamespace + ":nsv:{";
    this.bumps = Counter.builder(MeterNames.NAMESPACE_BUMPS).register(registry);
  }

  /** Namespace versions stored under this config namespace in Redis. For {@code Tierstate}. */
  public static NamespaceVersions create(
      TieredCache cache, RedisExecutor redis, String configNamespace, MeterRegistry registry) {
    return new NamespaceVersions(
        Objects.requireNonNull(cache, "cache"),
        Objects.requireNonNull(redis, "redis"),
        Objects.requireNonNull(configNamespace, "configNamespace"),
        Objects.requireNonNull(registry, "registry"));
  }

  /**
   * The key {@code namespace + ":v" + version + ":" + key} for the namespace's current version.
   *
   * @throws IllegalArgumentException if the namespace or key is invalid, or the built key is too
   *     long
   * @throws io.tierstate.cache.CacheLoadException if the version is not cached and Redis cannot be
   *     reached to read it
   */
  public String key(String namespace, String key) {
    requireValidNamespace(namespace);
    CacheKeys.requireValidKey(key);
    String built = namespace + ":v" + version(namespace) + ":" + key;
    return CacheKeys.requireValidKey(built);
  }

  /**
   * The namespace's current version: 0 until it is first bumped.
   *
   * @throws IllegalArgumentException if the namespace is invalid
   * @throws io.tierstate.cache.CacheLoadException if the version is not cached and Redis cannot be
   *     reached to read it
   */
  public long version(String namespace) {
    requireValidNamespace(namespace);
    Long version =
        cache.getOrLoad(
            CACHE_PREFIX + namespace, Long.class, () -> readVersion(namespace), VERSION_OPTIONS);
    return version == null ? 0 : version;
  }

  /**
   * Moves the namespace to a new version, so every key built before is no longer reached, on any
   * node (see the staleness bound above).
   *
   * @return the new version
   * @throws IllegalArgumentException if the namespace is invalid
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached; the version is then
   *     unchanged
   */
  public long bump(String namespace) {
    requireValidNamespace(namespace);
    Long version =
        redis.call(
            "bump namespace version '" + namespace + "'",
            commands -> commands.incr(redisKey(namespace)));
    cache.delete(CACHE_PREFIX + namespace);
    bumps.increment();
    return version;
  }

  private long readVersion(String namespace) {
    byte[] value =
        redis.call(
            "read namespace version '" + namespace + "'",
            commands -> commands.get(redisKey(namespace)));
    return value == null ? 0 : Long.parseLong(new String(value, StandardCharsets.US_ASCII));
  }

  private String redisKey(String namespace) {
    return redisPrefix + namespace + "}";
  }

  private static void requireValidNamespace(String namespace) {
    CacheKeys.requireValidKey(namespace);
    if (namespace.length() > MAX_NAMESPACE_LENGTH) {
      throw new IllegalArgumentException(
          "namespace '"
              + namespace.substring(0, 80)
              + "...' is longer than "
              + MAX_NAMESPACE_LENGTH
              + " characters");
    }
    int colon = namespace.indexOf(':');
    if (colon >= 0) {
      throw new IllegalArgumentException(
          "namespace '"
              + namespace
              + "' contains ':' at index "
              + colon
              + "; a namespace is one key segment");
    }
  }
}
