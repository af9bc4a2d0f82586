package io.tierstate.keys;

import org.jspecify.annotations.Nullable;

/**
 * A key of a cache shared by all tenants, built segment by segment: {@code
 * CacheKeys.global("countries").part("en-GB").key()} is {@code "cache:global:countries:en-GB"}.
 * Obtained from {@link CacheKeys#global(String)}.
 *
 * <p>Instances are immutable and thread-safe: {@link #part} returns a new instance. Two are equal
 * when they build the same key.
 */
public final class GlobalKeys {
  private final String key;

  GlobalKeys(String key) {
    this.key = CacheKeys.requireBuiltKeyLength(key);
  }

  /**
   * This key with one more segment, rendered with {@link String#valueOf(Object)}.
   *
   * @throws IllegalArgumentException if the rendered part is empty, contains {@code ':'} or a
   *     character that is not valid in a key, if {@code part} is null or of a class that does not
   *     override {@code toString()}, or if the key would be longer than {@link
   *     CacheKeys#MAX_KEY_LENGTH}
   */
  public GlobalKeys part(Object part) {
    return new GlobalKeys(key + ":" + CacheKeys.requireSegment("part", part));
  }

  /** The key: {@code "cache:global:countries:en-GB"}. */
  public String key() {
    return key;
  }

  /**
   * {@code "cache:global:countries:*"}: the invalidation pattern that matches every key built from
   * this one with at least one more part.
   */
  public String pattern() {
    return key + ":*";
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof GlobalKeys keys && keys.key.equals(key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  /** Returns {@link #key()}. */
  @Override
  public String toString() {
    return key;
  }
}
