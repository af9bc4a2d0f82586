package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tierstate.Tierstate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * {@link L1HitBenchmark}'s twelve shapes, measured so that a shared machine's noise falls on every
 * subject alike: all subjects of a shape live in one JVM and read in turn, 100 ms each, for many
 * rounds; each round's ratio compares slices a few hundred milliseconds apart, and the table gives
 * the median ratio and its spread. A second Caffeine alone ("Caffeine again") measures the noise
 * that remains: its ratio to the first should be 1. Caffeine with a per-entry expiry is the
 * reference an L1 with per-entry TTLs must be compared with; the same with {@code recordStats()}
 * adds what keeping hit and miss counts observable costs Caffeine itself (striped counters), a
 * lower bound for any L1 that counts its hits, as Tierstate's must; the "lower bound" subject adds
 * what an L1 entry with its own freshness deadline costs (a holder, one more load).
 *
 * <p>As in the JMH benchmark, each read builds its key afresh ({@code "tenant:7:user:" + n}) and
 * consumes the value; Tierstate holds every key in L1 (a miss fails the run). All subjects share
 * one read loop, so its call is megamorphic: that adds the same few nanoseconds to every read of
 * every subject, which pulls the ratios a little toward 1 in the 100-key rows, where a read costs
 * tens of nanoseconds.
 *
 * <pre>
 * bench/run.sh --l1-interleaved [rounds]     (default 40 rounds; about 8 minutes)
 * </pre>
 */
public final class L1HitInterleaved {
  static final String PREFIX = "tenant:7:user:";
  private static final long SLICE_NANOS = 100_000_000L;
  private static final int WARM_UP_ROUNDS = 10;
  // The subjects, by their index in each round's reads and rates.
  private static final int CAFFEINE = 0;
  private static final int CAFFEINE_AGAIN = 1;
  private static final int CAFFEINE_EXPIRY = 2;
  private static final int CAFFEINE_EXPIRY_STATS = 3;
  private static final int LOWER_BOUND = 4;
  private static final int TIERSTATE = 5;
  private static final int SUBJECTS = 6;

  private L1HitInterleaved() {}

  /** Reads one key; one implementation per subject. */
  interface Read {
    @Nullable Value get(String key);
  }

  /**
   * Runs every shape and prints the table.
   *
   * @param args optionally the number of measured rounds per shape (40), and one shape to measure
   *     alone, as {@code keys,distribution,threads} (for example {@code 10000,zipf,1})
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length == 0 ? 40 : RevisionAB.positive(args[0]);
    String only = args.length > 1 ? args[1].toLowerCase(Locale.ROOT) : null;
    String loadBefore = RunArgs.loadAverage();
    StringBuilder table = new StringBuilder();
    table.append("| keys | keys picked | threads | Caffeine (M reads/s) | Tierstate / Caffeine | p10–p90 |"
        + " Tierstate / Caffeine + expiry | p10–p90 | Tierstate / Caffeine + expiry + stats | p10–p90 |"
        + " Tierstate / lower bound | p10–p90 | Caffeine again / Caffeine (noise) | p10–p90 |\n");
    table.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      for (int keys : new int[] {100, 10_000, 1_000_000}) {
        if (only != null && !only.startsWith(keys + ",")) {
          continue;
        }
        try (Subjects subjects = Subjects.create(redis, keys)) {
          for (KeyDistribution distribution : KeyDistribution.values()) {
            for (int threads : new int[] {1, 4}) {
              String shape = keys + "," + distribution.name().toLowerCase(Locale.ROOT) + "," + threads;
              if (only != null && !only.equals(shape)) {
                continue;
              }
              double[][] rates = measure(subjects.reads, keys, distribution, threads, rounds, pool);
              subjects.checkNoMisses();
              table.append(row(keys, distribution, threads, rates));
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (only != null && table.toString().lines().count() == 2) {
      throw new IllegalArgumentException("no shape is " + only + ": give keys (100, 10000 or 1000000),"
          + " a distribution (uniform or zipf) and threads (1 or 4), as 10000,zipf,1");
    }
    System.out.printf(Locale.ROOT,
        "L1 hit, interleaved: %d rounds of 100 ms slices per subject and shape; load average before %s,"
            + " after %s%n%n%s", rounds, loadBefore, RunArgs.loadAverage(), table);
  }

  private static String row(int keys, KeyDistribution distribution, int threads, double[][] rates) {
    double[] vsCaffeine = RevisionAB.ratios(rates[TIERSTATE], rates[CAFFEINE]);
    double[] vsExpiry = RevisionAB.ratios(rates[TIERSTATE], rates[CAFFEINE_EXPIRY]);
    double[] vsExpiryStats = RevisionAB.ratios(rates[TIERSTATE], rates[CAFFEINE_EXPIRY_STATS]);
    double[] vsLowerBound = RevisionAB.ratios(rates[TIERSTATE], rates[LOWER_BOUND]);
    double[] noise = RevisionAB.ratios(rates[CAFFEINE_AGAIN], rates[CAFFEINE]);
    return String.format(Locale.ROOT, "| %,d | %s | %d | %.2f | %s | %s | %s | %s | %s |%n", keys,
        distribution.name().toLowerCase(Locale.ROOT), threads, RevisionAB.percentile(rates[CAFFEINE], 50) / 1e6,
        spread(vsCaffeine), spread(vsExpiry), spread(vsExpiryStats), spread(vsLowerBound), spread(noise));
  }

  private static String spread(double[] ratios) {
    return String.format(Locale.ROOT, "%.2fx | %.2f–%.2fx", RevisionAB.percentile(ratios, 50),
        RevisionAB.percentile(ratios, 10), RevisionAB.percentile(ratios, 90));
  }

  /** Each subject's reads per second in each measured round. */
  private static double[][] measure(Read[] reads, int keys, KeyDistribution distribution, int threads, int rounds,
      ExecutorService pool) throws Exception {
    List<int[]> orders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      orders.add(distribution.draw(keys, 1 << 16, t + 1));
    }
    double[][] rates = new double[reads.length][rounds];
    for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
      for (int s = 0; s < reads.length; s++) {
        int subject = Math.floorMod(round + s, reads.length);
        double rate = slice(reads[subject], orders, pool);
        if (round >= 0) {
          rates[subject][round] = rate;
        }
      }
    }
    return rates;
  }

  /** One slice: every thread reads for 100 ms; returns their reads per second together. */
  private static double slice(Read read, List<int[]> orders, ExecutorService pool) throws Exception {
    List<Callable<Double>> readers = new ArrayList<>();
    for (int[] order : orders) {
      readers.add(() -> readFor(read, order));
    }
    double total = 0;
    for (Future<Double> rate : pool.invokeAll(readers)) {
      total += rate.get();
    }
    return total;
  }

  /**
   * Reads {@code PREFIX + n} for the numbers of {@code order} in turn for 100 ms, checking the clock
   * every 1,024 reads and consuming every value; returns reads per second. Every subject of a run
   * shares this call site (megamorphic: the same few nanoseconds added to each read of each).
   *
   * @throws IllegalStateException if a read finds nothing
   */
  static double readFor(Read read, int[] order) {
    long start = System.nanoTime();
    long now;
    long reads = 0;
    long sink = 0;
    int mask = order.length - 1;
    do {
      for (int i = 0; i < 1024; i++) {
        Value value = read.get(PREFIX + order[(int) (reads + i) & mask]);
        if (value == null) {
          throw new IllegalStateException("a read missed: " + PREFIX + order[(int) (reads + i) & mask]);
        }
        sink += value.id();
      }
      reads += 1024;
      now = System.nanoTime();
    } while (now - start < SLICE_NANOS);
    if (sink == 42) {
      System.out.print(""); // keeps the sum, and so every read, alive
    }
    return reads * 1e9 / (now - start);
  }

  // One named type per subject, so that a profile's stacks say which subject a sample belongs to
  // (bench/run.sh --l1-profile).
  private record CaffeineAlone(Cache<String, Value> cache) implements Read {
    @Override
    public @Nullable Value get(String key) {
      return cache.getIfPresent(key);
    }
  }

  private record CaffeineAgain(Cache<String, Value> cache) implements Read {
    @Override
    public @Nullable Value get(String key) {
      return cache.getIfPresent(key);
    }
  }

  private record CaffeineWithExpiry(Cache<String, Value> cache) implements Read {
    @Override
    public @Nullable Value get(String key) {
      return cache.getIfPresent(key);
    }
  }

  private record CaffeineWithExpiryAndStats(Cache<String, Value> cache) implements Read {
    @Override
    public @Nullable Value get(String key) {
      return cache.getIfPresent(key);
    }
  }

  /**
   * What a coherent L1 must do on a hit at the least: Caffeine with per-entry expiry and hit counts,
   * whose entry is a holder with the value and its own freshness deadline (a cache that serves
   * stale-while-revalidate and distrusts entries after lost invalidations must know more than
   * Caffeine's eviction time), checked against a clock sampled in the background. Tierstate's
   * entry carries more (the region, the type, the moment it was stored) behind the same one load.
   */
  private record LowerBound(Cache<String, Held> cache) implements Read {
    @Override
    public @Nullable Value get(String key) {
      Held held = cache.getIfPresent(key);
      return held != null && held.freshUntil() > sampledNow ? held.value() : null;
    }
  }

  /** A value and the moment it stops being fresh. */
  private record Held(Value value, long freshUntil) {}

  /** Set once: a volatile read like Tierstate's clock sampled every millisecond. */
  private static volatile long sampledNow = System.nanoTime();

  private static final class HeldExpiry implements Expiry<String, Held> {
    private static final long HOUR = java.time.Duration.ofHours(1).toNanos();

    @Override
    public long expireAfterCreate(String key, Held held, long currentTime) {
      return HOUR;
    }

    @Override
    public long expireAfterUpdate(String key, Held held, long currentTime, long currentDuration) {
      return HOUR;
    }

    @Override
    public long expireAfterRead(String key, Held held, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  private record TierstateL1Hit(Tierstate tierstate) implements Read {
    @Override
    public @Nullable Value get(String key) {
      return tierstate.cache().get(key, Value.class).orElse(null);
    }
  }

  /** The subjects of one key count, filled with the same entries. */
  private static final class Subjects implements AutoCloseable {
    final Read[] reads;
    private final Tierstate tierstate;

    private Subjects(Read[] reads, Tierstate tierstate) {
      this.reads = reads;
      this.tierstate = tierstate;
    }

    static Subjects create(BenchRedis redis, int keys) {
      Map<String, Value> entries = new LinkedHashMap<>();
      for (int i = 0; i < keys; i++) {
        entries.put(PREFIX + i, Value.of(i));
      }
      Cache<String, Value> caffeine = Caffeine.newBuilder().maximumSize(keys).build();
      Cache<String, Value> caffeineAgain = Caffeine.newBuilder().maximumSize(keys).build();
      Cache<String, Value> withExpiry =
          Caffeine.newBuilder().maximumSize(keys).expireAfter(new L1HitBenchmark.PerEntryExpiry()).build();
      // The lower bound of an observable L1 with per-entry TTLs: Caffeine itself, counting its hits
      // and misses (striped LongAdders, as Tierstate's hit counter is) on top of the expiry.
      Cache<String, Value> withExpiryAndStats = Caffeine.newBuilder().maximumSize(keys)
          .expireAfter(new L1HitBenchmark.PerEntryExpiry()).recordStats().build();
      Cache<String, Held> lowerBound = Caffeine.newBuilder().maximumSize(keys)
          .expireAfter(new HeldExpiry()).recordStats().build();
      entries.forEach((key, value) -> lowerBound.put(key, new Held(value, Long.MAX_VALUE)));
      caffeine.putAll(entries);
      caffeineAgain.putAll(entries);
      withExpiry.putAll(entries);
      withExpiryAndStats.putAll(entries);
      Tierstate tierstate = Tierstate.create(
          redis.tierstateConfig().nodeId("bench-l1-interleaved").l1MaximumSize(keys).build());
      Invalidations.awaitFlowing(tierstate);
      ScalingRedis.fill(tierstate, PREFIX, keys, ScalingRedis.HOUR);
      Read[] reads = new Read[SUBJECTS];
      reads[CAFFEINE] = new CaffeineAlone(caffeine);
      reads[CAFFEINE_AGAIN] = new CaffeineAgain(caffeineAgain);
      reads[CAFFEINE_EXPIRY] = new CaffeineWithExpiry(withExpiry);
      reads[CAFFEINE_EXPIRY_STATS] = new CaffeineWithExpiryAndStats(withExpiryAndStats);
      reads[LOWER_BOUND] = new LowerBound(lowerBound);
      reads[TIERSTATE] = new TierstateL1Hit(tierstate);
      for (Read read : reads) {
        entries.forEach((key, value) -> Checks.require(value.equals(read.get(key)), key, "a subject"));
      }
      Subjects subjects = new Subjects(reads, tierstate);
      subjects.checkNoMisses();
      return subjects;
    }

    /** Fails the run if Tierstate answered any read from Redis: it would not have measured L1. */
    void checkNoMisses() {
      long misses = tierstate.metrics().snapshot().l1Misses();
      if (misses != 0) {
        throw new IllegalStateException(misses + " reads missed Tierstate's L1: the run did not measure L1 hits");
      }
    }

    @Override
    public void close() {
      tierstate.close();
    }
  }
}
