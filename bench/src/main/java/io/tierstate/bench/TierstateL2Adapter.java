package io.tierstate.bench;

import io.tierstate.TierstateConfig;
import io.tierstate.metrics.MeterNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tierstate with L1 disabled ({@code l1MaximumSize(0)}): every {@code get} reads Redis, checks the
 * envelope and decodes with Jackson, like raw Lettuce plus Jackson but through Tierstate. Either
 * with its default read path (on the caller's thread, over its direct read connections) or with
 * those turned off ({@code directReadConnections(0)}), every read through Lettuce's shared
 * connection.
 */
final class TierstateL2Adapter extends TierstateAdapter {
  private final boolean direct;
  private double missesAfterPopulate;
  private double otherPathAfterPopulate;

  TierstateL2Adapter(BenchRedis redis, boolean direct) {
    // Its own namespace: its writes must not invalidate the L1 of a TIERSTATE_L1 node on the same
    // Redis (the latency scenario opens both at once, on the same keys).
    this(redis.tierstateConfig(), "bench-l2", direct);
  }

  /** A node of {@code config}, in namespace {@code name} (with {@code -shared} when not direct). */
  TierstateL2Adapter(TierstateConfig.Builder config, String name, boolean direct) {
    super(direct
        ? config.namespace(name).nodeId(name).l1MaximumSize(0)
        : config.namespace(name + "-shared").nodeId(name + "-shared").l1MaximumSize(0).directReadConnections(0));
    this.direct = direct;
  }

  @Override
  void check(Map<String, Value> entries) {
    double hitsBefore = requests("l2", "hit");
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
    Checks.require(requests("l2", "hit") - hitsBefore == entries.size(), "(any)", "Redis");
    missesAfterPopulate = requests("l2", "miss");
    otherPathAfterPopulate = reads(otherPath());
  }

  /** The read path this subject should never take. */
  private String otherPath() {
    return direct ? "shared_connection" : "caller_thread";
  }

  private double reads(String path) {
    return registry.get(MeterNames.REDIS_READS).tag("path", path).counter().count();
  }

  /** Reads that Redis did not answer with the value (misses, or errors read as misses), or that took the other path. */
  @Override
  public @Nullable String anomalies() {
    List<String> anomalies = new ArrayList<>();
    long misses = (long) (requests("l2", "miss") - missesAfterPopulate);
    if (misses != 0) {
      anomalies.add(String.format(Locale.ROOT, "%d reads missed in Redis", misses));
    }
    long elsewhere = (long) (reads(otherPath()) - otherPathAfterPopulate);
    if (elsewhere != 0) {
      anomalies.add(String.format(Locale.ROOT, "%d reads went through the %s path", elsewhere, otherPath()));
    }
    return anomalies.isEmpty() ? null : String.join("; ", anomalies);
  }
}
