package io.tierstate.patterns;

/**
 * Deletes the record behind a cache key from the source of truth, for {@link WriteThrough#delete}.
 */
@FunctionalInterface
public interface SourceDeleter {

  /**
   * Deletes the record cached under {@code key}.
   *
   * @throws Exception if the delete failed; the cache is then left untouched
   */
  void delete(String key) throws Exception;
}
