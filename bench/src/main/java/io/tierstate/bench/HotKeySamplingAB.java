package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.HotKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What hot-key sampling costs an L1 hit, measured so that a loaded machine cannot spoil it: four
 * Tierstate nodes in one JVM on one Redis, two with sampling off and two with it at its default
 * (one read in 256), read by one thread in alternating slices of 100 ms. Each round reads every node
 * once, rotating which goes first; a round's ratio compares slices a few hundred milliseconds
 * apart, so the machine's load, which moves by 2x over minutes here, falls on both alike. JMH runs
 * the same comparison in separate forks ({@code L1HitBenchmark}, subjects {@code TIERSTATE_L1} and
 * {@code TIERSTATE_L1_NO_SAMPLING}), which on this machine disagreed by 2x between rows.
 *
 * <p>The nodes are created off, on, on, off, so that a bias with creation order falls on both; the
 * two nodes of one setting give the noise floor (off against off). Every read must be an L1 hit:
 * a miss fails the run. The code the JIT compiles serves both settings, so the off nodes pay a
 * branch that a JVM with sampling off everywhere would see as never taken: the ratio is, if
 * anything, kind to sampling by that branch (about a nanosecond, predicted).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tierstate.bench.HotKeySamplingAB [rounds] [keys]
 * </pre>
 */
public final class HotKeySamplingAB {
  private static final String PREFIX = "tenant:7:user:";
  private static final long SLICE_NANOS = 100_000_000;
  private static final int WARM_UP_ROUNDS = 20;

  private HotKeySamplingAB() {}

  /**
   * Runs the comparison for uniform and Zipf keys and prints one table each.
   *
   * @param args optionally the number of measured rounds (60), of keys (10,000), the "on" nodes'
   *     sampling (one read in 256: the default), and {@code outer} to create the nodes on, off,
   *     off, on instead (a check that the ratio is not the nodes' creation order)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int on = args.length > 2 ? Integer.parseInt(args[2]) : TierstateConfig.DEFAULT_HOT_KEY_SAMPLING;
    boolean outer = args.length > 3 && args[3].equals("outer");
    // Slots 0 and 3 hold the off nodes, 1 and 2 the on nodes, whichever order they are created in.
    String[] names =
        outer
            ? new String[] {"off (2nd)", "on (1st)", "on (4th)", "off (3rd)"}
            : new String[] {"off (1st)", "on (2nd)", "on (3rd)", "off (4th)"};
    int[] creation = outer ? new int[] {1, 0, 3, 2} : new int[] {0, 1, 2, 3};
    int[] sampling = {0, on, on, 0};
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      List<Tierstate> nodes = new ArrayList<>();
      try {
        Tierstate[] slots = new Tierstate[names.length];
        for (int c = 0; c < names.length; c++) {
          int n = creation[c];
          Tierstate node =
              Tierstate.create(
                  redis
                      .tierstateConfig()
                      .namespace("ab" + n)
                      .nodeId("hot-key-ab-" + n)
                      .l1MaximumSize(keys * 2L)
                      .hotKeySampling(sampling[n])
                      .build());
          slots[n] = node;
          nodes.add(node); // closed in creation order
          Invalidations.awaitFlowing(node);
          ScalingRedis.fill(node, PREFIX, keys, ScalingRedis.HOUR);
        }
        List<Tierstate> bySlot = List.of(slots);
        for (KeyDistribution distribution : KeyDistribution.values()) {
          int[] order = distribution.draw(keys, 1 << 16, 7);
          String loadBefore = RunArgs.loadAverage();
          double[][] rates = measure(bySlot, order, rounds);
          System.out.print(
              report(distribution, keys, on, names, rates, loadBefore, RunArgs.loadAverage()));
          List<HotKey> hot = bySlot.get(1).cache().hotKeys();
          System.out.printf(
              Locale.ROOT,
              "hottest key on a sampling node: %s%n%n",
              hot.isEmpty() ? "none" : hot.get(0).key() + " at " + (long) hot.get(0).readsPerSecond() + " reads/s");
        }
        for (int n = 0; n < bySlot.size(); n++) {
          long misses = bySlot.get(n).metrics().snapshot().l1Misses();
          Checks.require(misses == 0, names[n], "an L1 hit on every read (" + misses + " misses)");
        }
      } finally {
        nodes.forEach(Tierstate::close);
      }
    }
  }

  /** Reads per second of each node in each measured round. */
  private static double[][] measure(List<Tierstate> nodes, int[] order, int rounds) {
    double[][] rates = new double[nodes.size()][rounds];
    int next = 0;
    for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
      for (int s = 0; s < nodes.size(); s++) {
        int node = Math.floorMod(round + s, nodes.size());
        var cache = nodes.get(node).cache();
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
          rates[node][round] = reads * 1e9 / (now - start);
        }
      }
    }
    return rates;
  }

  static String report(
      KeyDistribution distribution,
      int keys,
      int on,
      String[] names,
      double[][] rates,
      String loadBefore,
      String loadAfter) {
    int rounds = rates[0].length;
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "L1 hit with hot-key sampling on (one read in %d) and off: one thread, %,d keys, %s,"
                + " keys built for each read; %d rounds of 100 ms slices; load average before %s,"
                + " after %s%n%n",
            on,
            keys,
            distribution.name().toLowerCase(Locale.ROOT),
            rounds,
            loadBefore,
            loadAfter));
    out.append("| node | median M reads/s |\n|---|---|\n");
    for (int s = 0; s < names.length; s++) {
      out.append(
          String.format(
              Locale.ROOT, "| %s | %.2f |%n", names[s], percentile(rates[s], 50) / 1e6));
    }
    double[] onVsOff = new double[rounds];
    double[] offVsOff = new double[rounds];
    double[] totals = new double[names.length]; // reads per second summed over the rounds
    for (int r = 0; r < rounds; r++) {
      onVsOff[r] =
          Math.sqrt(rates[1][r] * rates[2][r]) / Math.sqrt(rates[0][r] * rates[3][r]);
      offVsOff[r] = rates[3][r] / rates[0][r];
      for (int s = 0; s < names.length; s++) {
        totals[s] += rates[s][r];
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nsampling on against off, per round: median %.3fx, p10–p90 %.3f–%.3fx (one off node against"
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
            Math.sqrt(totals[1] * totals[2]) / Math.sqrt(totals[0] * totals[3]),
            totals[3] / totals[0]));
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
