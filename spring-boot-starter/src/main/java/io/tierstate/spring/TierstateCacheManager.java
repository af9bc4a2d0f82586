package io.tierstate.spring;

import io.tierstate.TierstateConfig;
import io.tierstate.cache.TieredCache;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are {@link TierstateCache}s over one {@link
 * TieredCache}. The caches named under {@code tierstate.caches} exist from the start with their
 * settings; any other name asked for gets a cache with the default ttl.
 *
 * <p>Thread-safe.
 */
public final class TierstateCacheManager implements CacheManager {
  private final TieredCache cache;
  private final TierstateConfig config;
  private final Map<String, TierstateProperties.CacheSettings> settings;
  private final Map<String, TierstateCache> caches = new ConcurrentHashMap<>();

  /**
   * A manager over {@code cache}, with the per-cache {@code settings}.
   *
   * @throws InvalidTierstatePropertyException if a cache's settings are invalid, naming the property
   */
  public TierstateCacheManager(TieredCache cache, TierstateConfig config,
      Map<String, TierstateProperties.CacheSettings> settings) {
    this.cache = cache;
    this.config = config;
    this.settings = Map.copyOf(settings);
    settings.keySet().forEach(this::getCache);
  }

  /**
   * The cache {@code name}, created on first use.
   *
   * @throws IllegalArgumentException if {@code name} cannot be part of a key (whitespace, control
   *     characters, or one of {@code { } * ? [ ] \})
   */
  @Override
  public TierstateCache getCache(String name) {
    return caches.computeIfAbsent(name, this::create);
  }

  private TierstateCache create(String name) {
    String tag = TierstateCache.tagOf(name);
    try {
      io.tierstate.keys.CacheKeys.requireValidTag(tag);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cache name '" + name + "' cannot be part of a key: " + e.getMessage(), e);
    }
    return new TierstateCache(name, cache, ConfigFromProperties.cacheOptions(name, tag, settings.get(name), config), tag);
  }

  @Override
  public Collection<String> getCacheNames() {
    return List.copyOf(caches.keySet());
  }

  /** Clears every cache this manager created, on every node. */
  @Override
  public void resetCaches() {
    caches.values().forEach(Cache::clear);
  }
}
