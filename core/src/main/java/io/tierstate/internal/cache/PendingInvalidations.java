package io.tierstate.internal.cache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Invalidations this node could not send while Redis was unreachable, replayed once it is back so
 * that L2 and other nodes drop what this node changed meanwhile. Bounded: past the bound the node
 * replays a whole-namespace pattern invalidation instead.
 *
 * <p>Thread-safe (synchronized; only touched on degraded paths).
 */
final class PendingInvalidations {
  private static final int MAX = 10_000;

  private final Set<String> keys = new LinkedHashSet<>();
  private final Set<String> tags = new LinkedHashSet<>();
  private final Set<String> patterns = new LinkedHashSet<>();
  private boolean overflowed;

  synchronized void addKeys(List<String> more) {
    keys.addAll(more);
    checkBound();
  }

  synchronized void addTags(String[] more) {
    tags.addAll(List.of(more));
    checkBound();
  }

  synchronized void addPattern(String pattern) {
    patterns.add(pattern);
    checkBound();
  }

  private void checkBound() {
    if (keys.size() + tags.size() + patterns.size() > MAX) {
      keys.clear();
      tags.clear();
      patterns.clear();
      overflowed = true;
    }
  }

  synchronized boolean isEmpty() {
    return keys.isEmpty() && tags.isEmpty() && patterns.isEmpty() && !overflowed;
  }

  /** Takes everything pending; on failure the caller puts it back with {@link #restore}. */
  synchronized Snapshot drain() {
    Snapshot snapshot =
        new Snapshot(
            new ArrayList<>(keys), new ArrayList<>(tags), new ArrayList<>(patterns), overflowed);
    keys.clear();
    tags.clear();
    patterns.clear();
    overflowed = false;
    return snapshot;
  }

  synchronized void restore(Snapshot snapshot) {
    keys.addAll(snapshot.keys());
    tags.addAll(snapshot.tags());
    patterns.addAll(snapshot.patterns());
    overflowed |= snapshot.overflowed();
    checkBound();
  }

  record Snapshot(
      List<String> keys, List<String> tags, List<String> patterns, boolean overflowed) {}
}
