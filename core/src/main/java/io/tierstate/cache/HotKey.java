package io.tierstate.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A key this node reads often, with its estimated read rate: one row of {@link
 * TieredCache#hotKeys()}. The rate is estimated from sampled reads ({@link
 * io.tierstate.TierstateConfig#hotKeySampling()}) and decays with a half-life of {@link
 * TieredCache#HOT_KEY_HALF_LIFE}, so it describes the last minute or so, not all time. Immutable
 * and thread-safe.
 *
 * @param key the cache key
 * @param readsPerSecond the estimated reads per second of this key, scaled back from the sampling
 *     rate; never negative
 */
public record HotKey(String key, double readsPerSecond) {

  /**
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code readsPerSecond} is negative, infinite or NaN
   */
  public HotKey {
    Objects.requireNonNull(key, "key");
    if (!(readsPerSecond >= 0) || Double.isInfinite(readsPerSecond)) {
      throw new IllegalArgumentException(
          "readsPerSecond must be a finite number >= 0, but was " + readsPerSecond);
    }
  }

  /**
   * Merges the hot keys of several nodes into the cluster's: the rates of a key on every node are
   * added (a key read 100 times a second on each of two nodes is read 200 times a second), then the
   * hottest {@code limit} are kept, hottest first (ties by key). Each node reports only its own top
   * {@value TieredCache#MAX_HOT_KEYS}, so a key just below that on every node is missing from the
   * merge, and a merged rate is a lower bound when a node left the key out.
   *
   * @param lists each node's hot keys
   * @param limit the most keys returned
   * @return the merged list, hottest first
   * @throws NullPointerException if {@code lists} or one of its lists is null
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public static List<HotKey> merge(Collection<? extends Collection<HotKey>> lists, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, but was " + limit);
    }
    Map<String, Double> rates = new LinkedHashMap<>();
    for (Collection<HotKey> list : lists) {
      for (HotKey hot : list) {
        rates.merge(hot.key(), hot.readsPerSecond(), Double::sum);
      }
    }
    List<HotKey> merged = new ArrayList<>(rates.size());
    rates.forEach((key, rate) -> merged.add(new HotKey(key, rate)));
    merged.sort(HOTTEST_FIRST);
    return List.copyOf(merged.subList(0, Math.min(limit, merged.size())));
  }

  /** Hottest first, then by key, so equal rates list in a stable order. */
  static final Comparator<HotKey> HOTTEST_FIRST =
      Comparator.comparingDouble(HotKey::readsPerSecond).reversed().thenComparing(HotKey::key);
}
