package io.tierstate.internal.inspect;

import io.tierstate.codec.TypeRef;
import java.util.List;
import java.util.Optional;

/**
 * What a node's cache holds, read without touching it: no hit or miss is counted, no L1 entry is
 * installed, no access time moves. The consistency auditor samples through it.
 *
 * <p>Thread-safe.
 */
public interface CachedEntries {

  /**
   * A cursor over L1's keys: each call continues where the previous one stopped and starts over
   * after the last key, so repeated calls visit every entry. Cheap: it walks Caffeine's map.
   */
  KeyCursor l1Keys();

  /**
   * A cursor over the L2 keys matching a glob pattern, on Redis SCAN (never KEYS), starting over
   * after the last page.
   */
  KeyCursor l2Keys(String pattern);

  /** The value this node's L1 holds for {@code key}, if it holds one (absence markers: empty). */
  Optional<Object> l1Value(String key);

  /**
   * The fresh value L2 holds for {@code key}, decoded as {@code type}, if there is one (absence
   * markers, expired, corrupt or undecodable entries: empty).
   *
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  <T> Optional<T> l2Value(String key, TypeRef<T> type);

  /** Keys, a few at a time. Not thread-safe: one caller at a time. */
  interface KeyCursor {
    /**
     * Up to {@code max} keys (fewer at the end of a pass, or none when the tier holds none).
     *
     * @throws io.tierstate.RedisUnavailableException for L2, if Redis cannot be reached
     */
    List<String> next(int max);
  }
}
