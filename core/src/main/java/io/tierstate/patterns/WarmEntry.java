package io.tierstate.patterns;

import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;

/**
 * One entry a {@link WarmingStrategy} puts in the cache: a key, its value and how it is cached.
 *
 * <p>Immutable and thread-safe (if the value is).
 *
 * @param key a valid cache key
 * @param value the value, not null
 * @param options how the entry is cached
 */
public record WarmEntry(String key, Object value, CacheOptions options) {

  /**
   * Checks the entry.
   *
   * @throws IllegalArgumentException if the key is invalid, or the value or options are null
   */
  public WarmEntry {
    CacheKeys.requireValidKey(key);
    if (value == null) {
      throw new IllegalArgumentException("value of warm entry '" + key + "' must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("options of warm entry '" + key + "' must not be null");
    }
  }

  /**
   * An entry.
   *
   * @throws IllegalArgumentException if the key is invalid, or the value or options are null
   */
  public static WarmEntry of(String key, Object value, CacheOptions options) {
    return new WarmEntry(key, value, options);
  }
}
