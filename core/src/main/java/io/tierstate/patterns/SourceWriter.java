package io.tierstate.patterns;

/**
 * Writes a value to the source of truth, for {@link WriteThrough#write}. A method reference such as
 * {@code db::update} fits.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface SourceWriter<T> {

  /**
   * Writes the value to the source of truth.
   *
   * @throws Exception if the write failed; the cache is then left untouched
   */
  void write(T value) throws Exception;
}
