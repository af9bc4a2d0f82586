package io.tierstate.cache;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * Coordinated invalidation across every node: Redis (L2) first, then every node's L1 through the
 * invalidation log. Each method returns once L2 is updated and the invalidation is logged; other
 * nodes drop their L1 copies as the log reaches them (milliseconds on a healthy network).
 *
 * <p>Thread-safe.
 */
public interface Invalidator {

  /**
   * Invalidates keys on every node.
   *
   * @throws IllegalArgumentException if a key is invalid (nothing is invalidated then)
   */
  void invalidateKeys(String... keys);

  /**
   * Invalidates every key written with one of these tags.
   *
   * @return how many keys were removed from Redis
   * @throws IllegalArgumentException if a tag is invalid (nothing is invalidated then)
   */
  long invalidateTags(String... tags);

  /**
   * Invalidates keys and every key written with one of the tags as one change: Tierstate's cache
   * logs one invalidation for it, so listeners on every node (and the event streams built on them)
   * see one event rather than one per call. The default makes the two calls.
   *
   * @return how many keys were removed from Redis (the tagged ones at least)
   * @throws IllegalArgumentException if a key or tag is invalid (nothing is invalidated then)
   */
  default long invalidate(Collection<String> keys, Collection<String> tags) {
    invalidateKeys(keys.toArray(String[]::new));
    return invalidateTags(tags.toArray(String[]::new));
  }

  /**
   * Invalidates keys and tags on every node, and returns only once the invalidation is in Redis and
   * in the invalidation log; unlike {@link #invalidateKeys} it never holds an invalidation back for
   * a later replay. For callers that must not acknowledge a change before the invalidation is
   * durable, such as a change-stream consumer that then confirms its position. This node's L1 and
   * listeners are told either way.
   *
   * @throws IllegalArgumentException if a key or tag is invalid (nothing is invalidated then)
   * @throws io.tierstate.RedisUnavailableException if Redis did not take it: call again later
   */
  void invalidateDurably(Collection<String> keys, Collection<String> tags);

  /**
   * Invalidates every key matching a glob pattern ({@code *} any run of characters, {@code ?} one),
   * found with SCAN, never KEYS.
   *
   * @return how many keys were removed from Redis
   * @throws IllegalArgumentException if the pattern is invalid
   */
  long invalidatePattern(String pattern);

  /**
   * Clears a cache region ({@link CacheOptions#region}) on every tier and node: the invalidation of
   * its tag {@code region:<name>} (so, like {@link #invalidateTags}, page by page in Redis and
   * logged for every node's L1).
   *
   * @return how many keys were removed from Redis
   * @throws IllegalArgumentException if {@code region} is not a valid region name
   */
  default long invalidateRegion(String region) {
    return invalidateTags(io.tierstate.keys.CacheKeys.regionTag(region));
  }

  /**
   * Calls {@code listener} for every invalidation seen by this node, local or remote. Listeners run
   * on Tierstate's invalidation thread: keep them quick.
   *
   * @return a handle whose {@code close()} removes the listener
   */
  AutoCloseable onInvalidation(Consumer<InvalidationEvent> listener);
}
