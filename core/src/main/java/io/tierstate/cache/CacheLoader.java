package io.tierstate.cache;

import org.jspecify.annotations.Nullable;

/**
 * Loads a value from the source of truth on a cache miss. Returning {@code null} means "absent";
 * whether absence is cached is decided by {@link CacheOptions#cacheAbsent}.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface CacheLoader<T> {

  /**
   * Loads the value.
   *
   * @throws Exception if the source of truth fails; the cache wraps it in a {@link
   *     CacheLoadException} unless a stale value can be served instead
   */
  @Nullable T load() throws Exception;
}
