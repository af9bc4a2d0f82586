package io.tierstate.patterns;

import java.time.Duration;

/**
 * Namespace versions: keys built with a namespace's current version, so bumping the version
 * invalidates the whole namespace in O(1). Old keys are no longer reached and expire by their TTL.
 * Obtain it from {@code Tierstate.namespaces()}.
 *
 * <pre>{@code
 * String key = ts.namespaces().key("catalog", "product:7");   // "catalog:v3:product:7"
 * ts.cache().set(key, product, CacheOptions.ttl(Duration.ofMinutes(10)));
 * ts.namespaces().bump("catalog");                              // every "catalog:v3:..." key is gone
 * }</pre>
 *
 * <p><b>Where the version lives.</b> In Redis under {@code <config namespace>:nsv:{<namespace>}}
 * (absent means 0), moved by {@code INCR}. Each node reads it through the tiered cache (cache key
 * {@code tierstate-nsv:<namespace>}, TTL {@link #VERSION_TTL}), so {@link #key} costs an L1 hit on
 * the hot path. {@link #bump} increments the version and then deletes that cache entry, which drops
 * every node's L1 copy through the cache's coherent invalidation.
 *
 * <p><b>Staleness bound.</b> After {@code bump} returns, the bumping node builds new-version keys
 * at once; every other node does once the invalidation reaches it (milliseconds), and at the latest
 * after {@link #VERSION_TTL} even if that message were lost. A read of the version that raced with
 * a bump cannot re-cache the old version (the cache fences such fills).
 *
 * <p>A namespace is 1 to 200 characters with the rules of a cache key, without {@code ':'}; so the
 * built key {@code namespace + ":v" + version + ":" + key} is unambiguous.
 *
 * <p>Thread-safe.
 */
public interface NamespaceVersions {
  /** How long a node may use a cached version if the bump's invalidation did not reach it. */
  Duration VERSION_TTL = Duration.ofSeconds(5);

  /**
   * The key {@code namespace + ":v" + version + ":" + key} for the namespace's current version.
   *
   * @throws IllegalArgumentException if the namespace or key is invalid, or the built key is too
   *     long
   * @throws io.tierstate.cache.CacheLoadException if the version is not cached and Redis cannot be
   *     reached to read it
   */
  String key(String namespace, String key);

  /**
   * The namespace's current version: 0 until it is first bumped.
   *
   * @throws IllegalArgumentException if the namespace is invalid
   * @throws io.tierstate.cache.CacheLoadException if the version is not cached and Redis cannot be
   *     reached to read it
   */
  long version(String namespace);

  /**
   * Moves the namespace to a new version, so every key built before is no longer reached, on any
   * node (see the staleness bound above).
   *
   * @return the new version
   * @throws IllegalArgumentException if the namespace is invalid
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached; the version is then
   *     unchanged
   */
  long bump(String namespace);
}
