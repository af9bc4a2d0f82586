package io.tierstate.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What the Tierstate adapters share: one node, populated with {@code setAll}, read with {@code get}. */
abstract class TierstateAdapter implements CacheAdapter {
  /** Longer than any run, so that nothing expires while it is measured. */
  static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofHours(1));

  private static final int BATCH = 500;

  final Tierstate tierstate;
  final MeterRegistry registry;

  TierstateAdapter(TierstateConfig.Builder config) {
    // The default configuration: no registry of the user's, so Tierstate records into one
    // Prometheus registry (a registry passed in would make every meter a composite of two).
    tierstate = Tierstate.create(config.build());
    registry = tierstate.metrics().registry();
  }

  @Override
  public final void populate(Map<String, Value> entries) {
    // Until the invalidation listener has connected, L1 entries are trusted only briefly (and
    // expire after degradedL1Ttl): populate and measure only once invalidations flow.
    Invalidations.awaitFlowing(tierstate);
    Map<String, Value> batch = new LinkedHashMap<>();
    for (Map.Entry<String, Value> entry : entries.entrySet()) {
      batch.put(entry.getKey(), entry.getValue());
      if (batch.size() == BATCH) {
        tierstate.cache().setAll(batch, OPTIONS);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      tierstate.cache().setAll(batch, OPTIONS);
    }
    check(entries);
  }

  /** Reads every entry back and checks that the tier measured served it. */
  abstract void check(Map<String, Value> entries);

  @Override
  public final @Nullable Value get(String key) {
    return tierstate.cache().get(key, Value.class).orElse(null);
  }

  /** One {@code cache().getAll}: one round trip to Redis for the L1 misses. */
  @Override
  public final Map<String, Value> getAll(List<String> keys) {
    return tierstate.cache().getAll(keys, Value.class);
  }

  /** How many reads the given tier answered with the given result: {@code hit} or {@code miss}. */
  final double requests(String tier, String result) {
    return registry.get(MeterNames.CACHE_REQUESTS).tags("tier", tier, "result", result).counter().count();
  }

  @Override
  public final void close() {
    tierstate.close();
  }
}
