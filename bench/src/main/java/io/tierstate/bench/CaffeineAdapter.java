package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Caffeine alone, as an application would use it for an in-process cache: the L1 ceiling. */
final class CaffeineAdapter implements CacheAdapter {
  private final Cache<String, Value> cache;

  CaffeineAdapter(int maximumSize) {
    cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
  }

  @Override
  public void populate(Map<String, Value> entries) {
    cache.putAll(entries);
    entries.keySet().forEach(key -> Checks.require(cache.getIfPresent(key) != null, key, "Caffeine"));
  }

  @Override
  public @Nullable Value get(String key) {
    return cache.getIfPresent(key);
  }

  @Override
  public void close() {
    cache.invalidateAll();
  }
}
