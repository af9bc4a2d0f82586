package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.HotKey;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What hot-key sampling costs an L1 hit, measured so that a loaded machine cannot spoil it: one
 * Tierstate node, every key in its L1, read by one thread in slices of 100 ms, with sampling
 * switched on and off between slices ({@code TieredCache.hotKeySampling}). Each round reads four
 * slices, on, off, off, on (the starting point rotating from round to round), so a round's ratio
 * compares slices a few hundred milliseconds apart of the same node, the same memory and the same
 * compiled code: the machine's load, which moves by 2x over minutes here, and the layout of a
 * node's data, which made nodes created one after another differ by up to 10% (an earlier form of
 * this harness had a node per setting), fall on both settings alike. The two "off" slices of a
 * round against each other give the noise floor, with the same shape as the measured ratio.
 *
 * <p>Every read must be an L1 hit: a miss fails the run. JMH runs the same comparison in separate
 * forks ({@code L1HitBenchmark}, subjects {@code TIERSTATE_L1} and {@code
 * TIERSTATE_L1_NO_SAMPLING}), which on this machine disagreed by 2x between rows.
 *
 * <pre>
 * "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.tierstate.bench.HotKeySamplingAB [rounds] [keys] [sampling]
 * </pre>
 */
public final class HotKeySamplingAB {
  private static final String PREFIX = "tenant:7:user:";
  private static final long SLICE_NANOS = 100_000_000;
  private static final int WARM_UP_ROUNDS = 20;
  // A round's slices: sampling on, off, off, on; slices 0 and 3 are "on", 1 and 2 "off".
  private static final String[] SLICES = {"on (a)", "off (a)", "off (b)", "on (b)"};

  private HotKeySamplingAB() {}

  /**
   * Runs the comparison for uniform and Zipf keys and prints one table each.
   *
   * @param args optionally the number of measured rounds (60), of keys (10,000), and the "on"
   *     slices' sampling (one read in 256: the default)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int on = args.length > 2 ? Integer.parseInt(args[2]) : TierstateConfig.DEFAULT_HOT_KEY_SAMPLING;
    try (BenchRedis redis = BenchRedis.startOrConnect();
        Tierstate node =
            Tierstate.create(
                redis
                    .tierstateConfig()
                    .namespace("ab")
                    .nodeId("hot-key-ab")
                    .l1MaximumSize(keys * 2L)
                    .hotKeySampling(on)
                    .build())) {
      Invalidations.awaitFlowing(node);
      ScalingRedis.fill(node, PREFIX, keys, ScalingRedis.HOUR);
      for (KeyDistribution distribution : KeyDistribution.values()) {
        int[] order = distribution.draw(keys, 1 << 16, 7);
        String loadBefore = RunArgs.loadAverage();
        double[][] rates = measure(node, on, order, rounds);
        System.out.print(report(distribution, keys, on, rates, loadBefore, RunArgs.loadAverage()));
        node.cache().hotKeySampling(on);
        List<HotKey> hot = node.cache().hotKeys();
        System.out.printf(
            Locale.ROOT,
            "hottest key: %s%n%n",
            hot.isEmpty() ? "none" : hot.get(0).key() + " at " + (long) hot.get(0).readsPerSecond() + " reads/s");
      }
      long misses = node.metrics().snapshot().l1Misses();
      Checks.require(misses == 0, "the node", "an L1 hit on every read (" + misses + " misses)");
    }
  }

  /** Reads per second of each slice kind (on a, off a, off b, on b) in each measured round. */
  private static double[][] measure(Tierstate node, int on, int[] order, int rounds) {
    double[][] rates = new double[SLICES.length][rounds];
    var cache = node.cache();
    int next = 0;
    for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
      for (int s = 0; s < SLICES.length; s++) {
        int slice = Math.floorMod(round + s, SLICES.length);
        cache.hotKeySampling(slice == 0 || slice == 3 ? on : 0);
        long reads = 0;
        long sink = 0;
        long start = System.nanoTime();
        long now;
        do {
          for (int i = 0; i < 256; i++) {
            Value value = cache.get(PREFIX + order[next++ & (order.length - 1)], Value.class).orElse(null);
            sink += Objects.requireNonNull(value).id();
          }
          reads += 256;
          now = System.nanoTime();
        } while (now - start < SLICE_NANOS);
        if (sink == 42) {
          System.out.print(""); // keeps the reads' results alive without a Blackhole
        }
        if (round >= 0) {
          rates[slice][round] = reads * 1e9 / (now - start);
        }
      }
    }
    return rates;
  }

  static String report(
      KeyDistribution distribution, int keys, int on, double[][] rates, String loadBefore, String loadAfter) {
    int rounds = rates[0].length;
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "L1 hit with hot-key sampling on (one read in %d) and off, one node switched between"
                + " slices: one thread, %,d keys, %s, keys built for each read; %d rounds of 100 ms"
                + " slices; load average before %s, after %s%n%n",
            on,
            keys,
            distribution.name().toLowerCase(Locale.ROOT),
            rounds,
            loadBefore,
            loadAfter));
    out.append("| slice | median M reads/s |\n|---|---|\n");
    for (int s = 0; s < SLICES.length; s++) {
      out.append(
          String.format(Locale.ROOT, "| %s | %.2f |%n", SLICES[s], percentile(rates[s], 50) / 1e6));
    }
    double[] onVsOff = new double[rounds];
    double[] offVsOff = new double[rounds];
    double[] totals = new double[SLICES.length]; // reads per second summed over the rounds
    for (int r = 0; r < rounds; r++) {
      onVsOff[r] = Math.sqrt(rates[0][r] * rates[3][r]) / Math.sqrt(rates[1][r] * rates[2][r]);
      offVsOff[r] = rates[2][r] / rates[1][r];
      for (int s = 0; s < SLICES.length; s++) {
        totals[s] += rates[s][r];
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nsampling on against off, per round: median %.3fx, p10–p90 %.3f–%.3fx (one off slice against"
                + " the other, the noise floor: median %.3fx, p10–p90 %.3f–%.3fx)%n",
            percentile(onVsOff, 50),
            percentile(onVsOff, 10),
            percentile(onVsOff, 90),
            percentile(offVsOff, 50),
            percentile(offVsOff, 10),
            percentile(offVsOff, 90)));
    // Summed over the rounds, a slow round weighs what it read: the steadier of the two estimates.
    out.append(
        String.format(
            Locale.ROOT,
            "all rounds' reads, on against off: %.3fx (off against off: %.3fx)%n",
            Math.sqrt(totals[0] * totals[3]) / Math.sqrt(totals[1] * totals[2]),
            totals[2] / totals[1]));
    return out.toString();
  }

  /** The nearest-rank percentile of {@code values}. */
  static double percentile(double[] values, int percent) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
