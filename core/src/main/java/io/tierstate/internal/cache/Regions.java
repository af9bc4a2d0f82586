package io.tierstate.internal.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.CacheRegion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * This node's cache regions, at most {@code maxRegions} of them: each region registers meters, so
 * an unbounded number (a region named per tenant or per user, say) would grow every scrape and
 * dashboard without limit. Past the bound a write or load that names a new region fails; it is
 * never dropped silently into another region. Thread-safe.
 */
final class Regions {
  private final Map<String, Region> byName = new ConcurrentHashMap<>();
  private final List<Region> inOrder = new ArrayList<>();
  private final MeterRegistry registry;
  private final int maxRegions;

  Regions(MeterRegistry registry, int maxRegions) {
    this.registry = registry;
    this.maxRegions = maxRegions;
  }

  /**
   * The region the options name, or null when they name none.
   *
   * @throws IllegalStateException if the region is new and this node has {@code maxRegions} already
   */
  @Nullable Region resolve(CacheOptions options) {
    String name = options.regionOrNull();
    if (name == null) {
      return null;
    }
    Region region = byName.get(name); // the common case: no lock
    return region != null ? region : register(name);
  }

  private synchronized Region register(String name) {
    Region region = byName.get(name);
    if (region != null) {
      return region;
    }
    if (inOrder.size() >= maxRegions) {
      throw new IllegalStateException(
          "cache region '"
              + name
              + "' would be region "
              + (inOrder.size() + 1)
              + " on this node, above the maximum of "
              + maxRegions
              + " regions (TieredCache.MAX_REGIONS): a region is a family of entries such as"
              + " 'users', not one per tenant or key; use a tag for finer groups");
    }
    region = new Region(name, registry);
    inOrder.add(region);
    byName.put(name, region);
    return region;
  }

  /** The names of this node's regions, in the order first used. */
  synchronized List<String> names() {
    List<String> names = new ArrayList<>(inOrder.size());
    for (Region region : inOrder) {
      names.add(region.name);
    }
    return names;
  }

  synchronized List<CacheRegion> snapshot() {
    List<CacheRegion> all = new ArrayList<>(inOrder.size());
    for (Region region : inOrder) {
      all.add(region.snapshot());
    }
    return all;
  }
}
