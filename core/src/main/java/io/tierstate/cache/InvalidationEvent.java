package io.tierstate.cache;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Something was invalidated, on this node or another one.
 *
 * @param kind what was invalidated
 * @param keys the keys concerned (for {@link Kind#KEYS} and {@link Kind#TAGS}; empty otherwise)
 * @param tags the tags concerned (for {@link Kind#TAGS}; empty otherwise)
 * @param pattern the glob pattern (for {@link Kind#PATTERN}; null otherwise)
 * @param originNode the id of the node that caused it
 * @param local whether it was caused by this node
 */
public record InvalidationEvent(
    Kind kind,
    List<String> keys,
    List<String> tags,
    @Nullable String pattern,
    String originNode,
    boolean local) {

  /** What an invalidation covers. */
  public enum Kind {
    /** Named keys: written, deleted or invalidated. */
    KEYS,
    /** Every key carrying one of the tags. */
    TAGS,
    /** Every key matching a glob pattern. */
    PATTERN,
    /** This node cleared its whole L1, because invalidations may have been lost. */
    L1_RESYNC
  }

  /** Copies the lists. */
  public InvalidationEvent {
    keys = List.copyOf(keys);
    tags = List.copyOf(tags);
  }
}
