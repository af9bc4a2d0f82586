package io.tierstate.internal.patterns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MeterNames;
import io.tierstate.patterns.NamespaceVersions;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The Redis implementation of {@link NamespaceVersions}; obtain it through {@code Tierstate}.
 * Thread-safe.
 */
public final class RedisNamespaceVersions implements NamespaceVersions {

  private static final int MAX_NAMESPACE_LENGTH = 200;
  private static final String CACHE_PREFIX = "tierstate-nsv:";
  private static final CacheOptions VERSION_OPTIONS = CacheOptions.ttl(VERSION_TTL);

  private final TieredCache cache;
  private final RedisExecutor redis;
  private final String redisPrefix;
  private final Counter bumps;

  private RedisNamespaceVersions(
      TieredCache cache, RedisExecutor redis, String configNamespace, MeterRegistry registry) {
    this.cache = cache;
    this.redis = redis;
    this.redisPrefix = configNamespace + ":nsv:{";
    this.bumps = Counter.builder(MeterNames.NAMESPACE_BUMPS).register(registry);
  }

  /** Namespace versions stored under this config namespace in Redis. For {@code Tierstate}. */
  public static NamespaceVersions create(
      TieredCache cache, RedisExecutor redis, String configNamespace, MeterRegistry registry) {
    return new RedisNamespaceVersions(
        Objects.requireNonNull(cache, "cache"),
        Objects.requireNonNull(redis, "redis"),
        Objects.requireNonNull(configNamespace, "configNamespace"),
        Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public String key(String namespace, String key) {
    requireValidNamespace(namespace);
    CacheKeys.requireValidKey(key);
    String built = namespace + ":v" + version(namespace) + ":" + key;
    return CacheKeys.requireValidKey(built);
  }

  @Override
  public long version(String namespace) {
    requireValidNamespace(namespace);
    Long version =
        cache.getOrLoad(
            CACHE_PREFIX + namespace, Long.class, () -> readVersion(namespace), VERSION_OPTIONS);
    return version == null ? 0 : version;
  }

  @Override
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
