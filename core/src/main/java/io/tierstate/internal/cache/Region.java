package io.tierstate.internal.cache;

import static io.tierstate.metrics.MeterNames.*;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tierstate.cache.CacheRegion;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cache region's counters on this node, resolved once (by {@link Regions}) and then referenced
 * from each of its {@link L1Entry L1 entries}, so an L1 hit counts with one striped add and no
 * meter lookup. Micrometer reads the counters at scrape time ({@link FunctionCounter}s and a {@link
 * Gauge}); only the load timer is a registered meter, recorded on the (slow) load path.
 * Thread-safe.
 */
final class Region {
  final String name;
  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l1Misses = new LongAdder();
  private final LongAdder l2Hits = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder l1Entries = new LongAdder();
  private final Timer loadDuration;

  Region(String name, MeterRegistry registry) {
    this.name = name;
    FunctionCounter.builder(REGION_REQUESTS, this, Region::requests)
        .tag("region", name)
        .register(registry);
    FunctionCounter.builder(REGION_HITS, l1Hits, LongAdder::doubleValue)
        .tag("region", name)
        .tag("tier", "l1")
        .register(registry);
    FunctionCounter.builder(REGION_HITS, l2Hits, LongAdder::doubleValue)
        .tag("region", name)
        .tag("tier", "l2")
        .register(registry);
    FunctionCounter.builder(REGION_LOADS, loads, LongAdder::doubleValue)
        .tag("region", name)
        .register(registry);
    Gauge.builder(REGION_L1_ENTRIES, l1Entries, LongAdder::doubleValue)
        .tag("region", name)
        .register(registry);
    loadDuration =
        Timer.builder(REGION_LOAD_DURATION)
            .tag("region", name)
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  void l1Hit() {
    l1Hits.increment();
  }

  void l1Miss() {
    l1Misses.increment();
  }

  void l2Hit() {
    l2Hits.increment();
  }

  void loaded(long nanos) {
    loads.increment();
    loadDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  void entryAdded() {
    l1Entries.increment();
  }

  void entryRemoved() {
    l1Entries.decrement();
  }

  private double requests() {
    return l1Hits.sum() + l1Misses.sum();
  }

  CacheRegion snapshot() {
    long count = loadDuration.count();
    double mean = count == 0 ? 0 : loadDuration.totalTime(TimeUnit.MILLISECONDS) / count;
    double p99 = 0;
    for (ValueAtPercentile v : loadDuration.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.99) {
        p99 = v.value(TimeUnit.MILLISECONDS);
      }
    }
    return new CacheRegion(
        name,
        l1Hits.sum() + l1Misses.sum(),
        l1Hits.sum(),
        l2Hits.sum(),
        loads.sum(),
        mean,
        p99,
        Math.max(0, l1Entries.sum()));
  }
}
