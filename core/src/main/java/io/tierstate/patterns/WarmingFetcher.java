package io.tierstate.patterns;

import java.util.Collection;

/**
 * Fetches the entries a {@link WarmingStrategy} caches, typically from the source of truth. Called
 * from the warmer's thread or the caller of {@link CacheWarmer#warmAll()}; must be thread-safe.
 */
@FunctionalInterface
public interface WarmingFetcher {

  /**
   * The entries to cache, each with its own options.
   *
   * @throws Exception if fetching failed; the run is then reported and counted as failed, and no
   *     entry is written
   */
  Collection<WarmEntry> fetch() throws Exception;
}
