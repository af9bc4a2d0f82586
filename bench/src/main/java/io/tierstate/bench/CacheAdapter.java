package io.tierstate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One cache implementation seen through the operations the benchmarks measure, so that every
 * implementation runs the same benchmark code. Create one with {@link Implementation#create}.
 *
 * <p>Implementations are thread-safe.
 */
public interface CacheAdapter extends AutoCloseable {

  /**
   * Stores every entry, and checks that reading each one back is served by the tier this adapter
   * measures (L1 or Redis), so that a benchmark cannot silently measure misses.
   *
   * @throws IllegalStateException if an entry is not read back from the tier measured
   */
  void populate(Map<String, Value> entries);

  /** The value cached under {@code key}, or null if there is none. */
  @Nullable Value get(String key);

  /**
   * The values cached under {@code keys} (absent keys left out), in the way this implementation
   * reads many keys at once: by default, one {@link #get} after the other.
   */
  default Map<String, Value> getAll(List<String> keys) {
    Map<String, Value> found = new LinkedHashMap<>();
    for (String key : keys) {
      Value value = get(key);
      if (value != null) {
        found.put(key, value);
      }
    }
    return found;
  }

  /**
   * What happened since {@link #populate} that makes a measurement suspect, such as reads that the
   * tier measured did not answer; null if nothing did.
   */
  default @Nullable String anomalies() {
    return null;
  }

  /** Releases connections and stops background threads. */
  @Override
  void close();
}
