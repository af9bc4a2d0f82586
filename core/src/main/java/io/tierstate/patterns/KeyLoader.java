package io.tierstate.patterns;

import org.jspecify.annotations.Nullable;

/**
 * Loads the value of one key from the source of truth, for {@link ReadThrough}. Returning {@code
 * null} means "absent"; whether absence is cached is decided by {@link
 * io.tierstate.cache.CacheOptions#cacheAbsent}.
 *
 * <p>Implementations are called from any thread and must be thread-safe.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface KeyLoader<T> {

  /**
   * Loads the value cached under {@code key}.
   *
   * @throws Exception if the source of truth fails; the cache wraps it in a {@link
   *     io.tierstate.cache.CacheLoadException} unless a stale value can be served instead
   */
  @Nullable T load(String key) throws Exception;
}
