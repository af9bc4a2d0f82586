package io.tierstate.bench;

import io.tierstate.metrics.MeterNames;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Tierstate with every key in its L1: {@code get} is answered in process, like Caffeine alone. */
final class TierstateL1Adapter extends TierstateAdapter {
  private double missesAfterPopulate;
  private double hitsAfterPopulate;

  TierstateL1Adapter(BenchRedis redis, int maximumSize) {
    super(redis.tierstateConfig().nodeId("bench-l1").l1MaximumSize(maximumSize));
  }

  @Override
  void check(Map<String, Value> entries) {
    double missesBefore = requests("l1", "miss");
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "L1"));
    Checks.require(requests("l1", "miss") == missesBefore, "(any)", "L1");
    missesAfterPopulate = requests("l1", "miss");
    hitsAfterPopulate = requests("l1", "hit");
  }

  /** Reads that went to Redis after all, and why: L1 clears (resyncs) or distrust. */
  @Override
  public @Nullable String anomalies() {
    long misses = (long) (requests("l1", "miss") - missesAfterPopulate);
    if (misses == 0) {
      return null;
    }
    long reads = misses + (long) (requests("l1", "hit") - hitsAfterPopulate);
    String resyncs =
        registry.find(MeterNames.L1_RESYNCS).counters().stream()
            .collect(
                Collectors.groupingBy(
                    counter -> String.valueOf(counter.getId().getTag("reason")),
                    Collectors.summingLong(counter -> (long) counter.count())))
            .toString();
    long clears =
        registry.find(MeterNames.L1_RESYNCS).counters().stream()
            .mapToLong(counter -> (long) counter.count())
            .sum();
    return String.format(
        Locale.ROOT,
        "%d of %d reads (%.1f%%) missed L1 and went to Redis; L1 was cleared %d times %s,"
            + " invalidations flowing now: %s",
        misses, reads, 100.0 * misses / reads, clears, resyncs, tierstate.invalidationsFlowing());
  }
}
