package io.tierstate.bench;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Single-thread hit latency of every subject, p50/p99/p99.9 recorded with HdrHistogram, beside the
 * socket floor ({@link Implementation#SOCKET_FLOOR}) measured in the same run on the same Redis.
 *
 * <p>A plain program rather than JMH {@code SampleTime}: every subject must be open at once and
 * measured in interleaved rounds (a slice of each subject, then the next round), so that the noise
 * of a shared machine falls on all of them alike, and the socket floor is measured between the
 * very reads it is compared with. Each read is timed with two {@code System.nanoTime()} calls
 * (about 25 ns each, noise next to a round trip, not next to an L1 hit: read L1 figures as upper
 * bounds). The value returned is checked after the clock stops.
 */
final class LatencyScenario {
  private static final int KEYS = 10_000;

  private LatencyScenario() {}

  /**
   * Runs the scenario alone and prints its section: {@code [quick|full] [SUBJECT,...]} (default
   * full, every subject; {@code SOCKET_FLOOR} and {@code TIERSTATE_L2} are always included).
   */
  public static void main(String[] args) throws Exception {
    RunMode mode = args.length > 0 ? RunMode.valueOf(args[0].toUpperCase(Locale.ROOT)) : RunMode.FULL;
    Set<Implementation> subjects = EnumSet.allOf(Implementation.class);
    if (args.length > 1) {
      subjects = EnumSet.of(Implementation.SOCKET_FLOOR, Implementation.TIERSTATE_L2);
      for (String name : args[1].split(",", -1)) {
        subjects.add(Implementation.valueOf(name.strip()));
      }
    }
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, mode, subjects).markdown());
    }
  }

  /** Measures every subject. */
  static Section run(BenchRedis redis, RunMode mode) {
    return run(redis, mode, EnumSet.allOf(Implementation.class));
  }

  /** Measures {@code subjects}, which must include the socket floor and Tierstate's L2. */
  static Section run(BenchRedis redis, RunMode mode, Set<Implementation> subjects) {
    int keys = mode.pick(1_000, KEYS);
    int rounds = mode.pick(2, 10);
    int perRound = mode.pick(500, 5_000);
    InterleavedLatency.Keys read = new InterleavedLatency.Keys("latency:", keys);
    Map<String, CacheAdapter> adapters = new LinkedHashMap<>();
    try {
      for (Implementation implementation : subjects) {
        CacheAdapter adapter = implementation.create(redis, keys);
        adapters.put(implementation.name(), adapter);
        adapter.populate(read.entries);
      }
      Map<String, Histogram> histograms =
          InterleavedLatency.measure(adapters, read, rounds, mode.pick(500, 5_000), perRound);
      List<String> anomalies = InterleavedLatency.anomalies(adapters);
      return report(histograms, anomalies, rounds, perRound, keys);
    } finally {
      adapters.values().forEach(CacheAdapter::close);
    }
  }

  private static Section report(Map<String, Histogram> histograms, List<String> anomalies, int rounds,
      int perRound, int keys) {
    Section section = new Section("Hit latency, one thread");
    section.paragraph(String.format(Locale.ROOT,
        "One thread reads %,d keys uniformly at random, every subject open at once and measured in %d"
            + " interleaved rounds of %,d reads (after %s), each read timed with System.nanoTime() and"
            + " recorded in an HdrHistogram; the value is checked after the clock stops. `SOCKET_FLOOR`"
            + " is a blocking java.net.Socket with a hand-written RESP GET and the same Jackson decode:"
            + " the floor of any Redis client. Ratios divide each subject's p50 by the floor's.",
        keys, rounds, perRound, "a warm-up of the same reads"));
    double floor = (double) Objects.requireNonNull(histograms.get(Implementation.SOCKET_FLOOR.name())).getValueAtPercentile(50);
    Table table = new Table("subject", "p50 µs", "p99 µs", "p99.9 µs", "p50 / socket floor");
    histograms.forEach((name, h) -> table.row("`" + name + "`",
        Section.micros(h.getValueAtPercentile(50)), Section.micros(h.getValueAtPercentile(99)),
        Section.micros(h.getValueAtPercentile(99.9)), Section.ratio(h.getValueAtPercentile(50) / floor)));
    section.table(table);
    if (!anomalies.isEmpty()) {
      section.paragraph("Anomalies (reads not served by the tier measured): " + String.join("; ", anomalies));
    }
    double l2 = Objects.requireNonNull(histograms.get(Implementation.TIERSTATE_L2.name())).getValueAtPercentile(50) / floor;
    section.target("Tierstate L2-hit p50 within 1.5x of the socket floor", Section.ratio(l2), l2 <= 1.5);
    return section;
  }
}
