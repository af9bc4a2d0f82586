package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Invalidation propagation between two Tierstate nodes on one Redis: node B holds a key in its L1,
 * node A {@code set}s a new value, and B's invalidation listener ({@code
 * invalidator().onInvalidation}) times the moment B dropped its copy; a {@code get} on B then
 * confirms that it no longer serves the old value. One key at a time, over many keys.
 */
final class InvalidationScenario {
  private static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofHours(1));
  private static final long TIMEOUT_SECONDS = 5;
  private static final int BATCH = 500;

  private InvalidationScenario() {}

  /** Runs the scenario alone and prints its section. */
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, RunMode.FULL).markdown());
    }
  }

  /**
   * Measures and reports; in any mode, fails if B's listener does not see an invalidation within
   * {@value #TIMEOUT_SECONDS} s, or B serves the old value after it.
   */
  static Section run(BenchRedis redis, RunMode mode) throws InterruptedException {
    int keys = mode.pick(100, 2_000);
    Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    CountDownLatch initialWritesHeard = new CountDownLatch(keys);
    Histogram propagation = new Histogram(60_000_000_000L, 3);
    Histogram writes = new Histogram(60_000_000_000L, 3);
    try (Tierstate a = Tierstate.create(redis.tierstateConfig().namespace("bench-inv").nodeId("inv-a").build());
        Tierstate b = Tierstate.create(redis.tierstateConfig().namespace("bench-inv").nodeId("inv-b").build())) {
      // Closed with node B, which drops its listeners.
      var unused = b.invalidator().onInvalidation(event -> {
          if (event.kind() == InvalidationEvent.Kind.KEYS && !event.local()) {
            long now = System.nanoTime();
            for (String key : event.keys()) {
              if (arrived.putIfAbsent(key, now) == null) {
                initialWritesHeard.countDown(); // a no-op once it reached zero
              }
              CountDownLatch latch = waiting.get(key);
              if (latch != null) {
                latch.countDown();
              }
            }
          }
        });
      Invalidations.awaitFlowing(a);
      Invalidations.awaitFlowing(b);
      Map<String, Value> batch = new LinkedHashMap<>();
      String[] names = new String[keys];
      for (int i = 0; i < keys; i++) {
        names[i] = "inv:" + i;
        batch.put(names[i], Value.of(i));
        if (batch.size() == BATCH || i == keys - 1) {
          a.cache().setAll(batch, OPTIONS);
          batch.clear();
        }
      }
      // B must have applied the invalidations of A's first writes before it fills its L1: one
      // arriving meanwhile moves the generation of its L1 stripe, and the fill of a neighbouring
      // key is then dropped (a fenced fill, by design).
      Checks.check(initialWritesHeard.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "node B did not hear of node A's first writes within " + TIMEOUT_SECONDS + " s");
      // B's first read fills its L1 from Redis, the second must be an L1 hit: the premise.
      for (int i = 0; i < keys; i++) {
        Checks.check(Value.of(i).equals(b.cache().get(names[i], Value.class).orElse(null)),
            "node B did not read the value node A wrote for " + names[i]);
      }
      double l1Hits = l1Hits(b);
      for (int i = 0; i < keys; i++) {
        Checks.check(b.cache().get(names[i], Value.class).isPresent(), "node B lost " + names[i]);
      }
      Checks.check(l1Hits(b) - l1Hits == keys, "node B did not hold every key in its L1 before the writes");
      arrived.clear();

      for (int i = 0; i < keys; i++) {
        String key = names[i];
        Value fresh = Value.of(1_000_000L + i);
        CountDownLatch latch = new CountDownLatch(1);
        waiting.put(key, latch);
        long start = System.nanoTime();
        a.cache().set(key, fresh, OPTIONS);
        writes.recordValue(System.nanoTime() - start);
        Checks.check(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
            "node B saw no invalidation of " + key + " within " + TIMEOUT_SECONDS + " s of node A's set");
        propagation.recordValue(Objects.requireNonNull(arrived.get(key)) - start);
        Value seen = b.cache().get(key, Value.class).orElse(null);
        Checks.check(fresh.equals(seen), "node B served " + seen + " for " + key + " after its invalidation");
        waiting.remove(key);
      }
    }
    return report(keys, propagation, writes);
  }

  private static double l1Hits(Tierstate node) {
    return node.metrics().registry().get(MeterNames.CACHE_REQUESTS).tags("tier", "l1", "result", "hit")
        .counter().count();
  }

  private static Section report(int keys, Histogram propagation, Histogram writes) {
    Section section = new Section("Invalidation propagation between 2 nodes");
    section.paragraph(String.format(Locale.ROOT,
        "Two Tierstate nodes on one Redis. Node B holds %,d keys in its L1 (checked: a second read of"
            + " each is an L1 hit). For one key at a time, node A calls `set` with a new value; the"
            + " time runs from the call to `set` (so it includes A's own write, p50 %s ms) until node"
            + " B's `onInvalidation` listener sees the key, which B calls after dropping its L1 copy;"
            + " a `get` on B then confirms it serves the new value (it did for every key).",
        keys, millis(writes.getValueAtPercentile(50))));
    Table table = new Table("keys", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
    table.row(Section.number(keys, 0), millis(propagation.getValueAtPercentile(50)),
        millis(propagation.getValueAtPercentile(90)), millis(propagation.getValueAtPercentile(99)),
        millis(propagation.getValueAtPercentile(99.9)), millis(propagation.getMaxValue()));
    section.table(table);
    double p99 = propagation.getValueAtPercentile(99) / 1e6;
    section.target("propagation p99 under 5 ms", millis(propagation.getValueAtPercentile(99)) + " ms", p99 < 5);
    return section;
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }
}
