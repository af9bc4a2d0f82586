package io.tierstate.bench;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tierstate with L1 disabled ({@code l1MaximumSize(0)}): every {@code get} reads Redis, checks the
 * envelope and decodes with Jackson, like raw Lettuce plus Jackson but through Tierstate.
 */
final class TierstateL2Adapter extends TierstateAdapter {
  private double missesAfterPopulate;

  TierstateL2Adapter(BenchRedis redis) {
    // Its own namespace: its writes must not invalidate the L1 of a TIERSTATE_L1 node on the same
    // Redis (the latency scenario opens both at once, on the same keys).
    super(redis.tierstateConfig().namespace("bench-l2").nodeId("bench-l2").l1MaximumSize(0));
  }

  @Override
  void check(Map<String, Value> entries) {
    double hitsBefore = requests("l2", "hit");
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
    Checks.require(requests("l2", "hit") - hitsBefore == entries.size(), "(any)", "Redis");
    missesAfterPopulate = requests("l2", "miss");
  }

  /** Reads that Redis did not answer with the value (misses, or errors read as misses). */
  @Override
  public @Nullable String anomalies() {
    long misses = (long) (requests("l2", "miss") - missesAfterPopulate);
    return misses == 0 ? null : String.format(Locale.ROOT, "%d reads missed in Redis", misses);
  }
}
