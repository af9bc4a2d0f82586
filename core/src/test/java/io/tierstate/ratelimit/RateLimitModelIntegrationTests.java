package io.tierstate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many threads on two nodes hammer one identifier; every decision carries the Redis server time the
 * script decided at, so the admitted requests are checked exactly against each algorithm's model
 * (Redis runs scripts one at a time, on one clock).
 */
class RateLimitModelIntegrationTests {
  private static final int THREADS_PER_NODE = 3;
  private static final Duration RUN = Duration.ofMillis(1_500);

  private static Nodes nodes;
  private static Tierstate a;
  private static Tierstate b;
  private static ExecutorService pool;

  @BeforeAll
  static void start() {
    nodes = Nodes.onSharedRedis();
    a = nodes.start("a");
    b = nodes.start("b");
    pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    nodes.close();
  }

  record Decision(long micros, boolean allowed, int cost) {}

  /** Runs steady demand of cost 1 from both nodes for {@link #RUN}; decisions sorted by time. */
  static List<Decision> hammer(String identifier, RateLimitPolicy policy) throws Exception {
    ConcurrentLinkedQueue<Decision> decisions = new ConcurrentLinkedQueue<>();
    long deadline = System.nanoTime() + RUN.toNanos();
    List<Future<?>> workers = new ArrayList<>();
    for (Tierstate node : List.of(a, b)) {
      for (int t = 0; t < THREADS_PER_NODE; t++) {
        workers.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < deadline) {
                    RateLimitResult r = node.rateLimiter().limit(identifier, policy);
                    assertThat(r.source()).isEqualTo(RateLimitResult.Source.REDIS);
                    decisions.add(new Decision(micros(r.decidedAt()), r.allowed(), 1));
                  }
                  return null;
                }));
      }
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    List<Decision> sorted = new ArrayList<>(decisions);
    sorted.sort(Comparator.comparingLong(Decision::micros));
    assertThat(sorted).hasSizeGreaterThan(200);
    return sorted;
  }

  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  static List<Decision> admitted(List<Decision> decisions) {
    return decisions.stream().filter(Decision::allowed).toList();
  }

  /** How many of the sorted {@code times} are at most {@code t}. */
  static int countAtMost(long[] times, long t) {
    int low = 0;
    int high = times.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (times[mid] <= t) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Admitted units per fixed window index. */
  static TreeMap<Long, Integer> perFixedWindow(List<Decision> admitted, long windowMicros) {
    TreeMap<Long, Integer> counts = new TreeMap<>();
    for (Decision d : admitted) {
      counts.merge(Math.floorDiv(d.micros(), windowMicros), d.cost(), Integer::sum);
    }
    return counts;
  }

  /** The most units admitted in any sliding window (t - window, t] ending at an admission. */
  static int maxInSlidingWindow(List<Decision> admitted, long windowMicros) {
    int max = 0;
    int sum = 0;
    int from = 0;
    for (int to = 0; to < admitted.size(); to++) {
      sum += admitted.get(to).cost();
      long t = admitted.get(to).micros();
      while (admitted.get(from).micros() <= t - windowMicros) {
        sum -= admitted.get(from++).cost();
      }
      // admissions at the same microsecond as t (later in the list) are in the window too
      int ties = 0;
      for (int k = to + 1; k < admitted.size() && admitted.get(k).micros() == t; k++) {
        ties += admitted.get(k).cost();
      }
      max = Math.max(max, sum + ties);
    }
    return max;
  }

  /**
   * The largest excess over the rate in any interval [t_i, t_j] between admissions: max of
   * admitted(t_i..t_j) - rate * (t_j - t_i), which a bucket of that capacity keeps at most
   * capacity.
   */
  static double maxBurst(List<Decision> admitted, double perMicro) {
    double best = 0;
    double minStart = Double.MAX_VALUE; // min over i of (units before i) - rate * t_i
    long units = 0;
    for (Decision d : admitted) {
      minStart = Math.min(minStart, units - perMicro * d.micros());
      units += d.cost();
      best = Math.max(best, units - perMicro * d.micros() - minStart);
    }
    return best;
  }

  @Test
  void fixedWindowAdmitsExactlyTheLimitInEveryWindow() throws Exception {
    int limit = 20;
    long window = 200_000;
    List<Decision> decisions =
        hammer("fw", RateLimitPolicy.fixedWindow(limit, Duration.ofMillis(200)));
    TreeMap<Long, Integer> counts = perFixedWindow(admitted(decisions), window);
    long first = Math.floorDiv(decisions.getFirst().micros(), window);
    long last = Math.floorDiv(decisions.getLast().micros(), window);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(limit));
    // a denial is justified: its window had already admitted the whole limit by then
    long[] times = admitted(decisions).stream().mapToLong(Decision::micros).toArray();
    for (Decision d : decisions) {
      if (!d.allowed()) {
        long index = Math.floorDiv(d.micros(), window);
        long before = countAtMost(times, d.micros()) - countAtMost(times, index * window - 1);
        assertThat(before).as("admitted before a denial at %d", d.micros()).isEqualTo(limit);
      }
    }
    assertThat(counts.subMap(first + 1, last).values()).allSatisfy(c -> assertThat(c).isPositive());
    System.out.printf(
        "fixed window: %d decisions, per window %s%n", decisions.size(), counts.values());
  }

  @Test
  void slidingLogNeverAdmitsMoreThanTheLimitInAnySlidingWindow() throws Exception {
    int limit = 20;
    long window = 200_000;
    List<Decision> decisions =
        hammer("sl", RateLimitPolicy.slidingLog(limit, Duration.ofMillis(200)));
    List<Decision> admitted = admitted(decisions);
    int max = maxInSlidingWindow(admitted, window);
    assertThat(max).isEqualTo(limit);
    // a denial is justified: the sliding window ending at it already held the whole limit
    long[] times = admitted.stream().mapToLong(Decision::micros).toArray();
    for (Decision d : decisions) {
      if (!d.allowed()) {
        long inWindow = countAtMost(times, d.micros()) - countAtMost(times, d.micros() - window);
        assertThat(inWindow)
            .as("admitted in the window before a denial at %d", d.micros())
            .isEqualTo(limit);
      }
    }
    double spanWindows =
        (decisions.getLast().micros() - decisions.getFirst().micros()) / (double) window;
    // steady demand keeps the log full: about one limit per window
    assertThat(admitted.size())
        .isGreaterThanOrEqualTo((int) (limit * Math.floor(spanWindows) * 0.9));
    System.out.printf(
        "sliding log: %d decisions, %d admitted over %.1f windows, max per sliding window %d%n",
        decisions.size(), admitted.size(), spanWindows, max);
  }

  @Test
  void slidingWindowCounterStaysWithinItsDocumentedErrorBound() throws Exception {
    int limit = 20;
    long window = 200_000;
    List<Decision> decisions =
        hammer("sw", RateLimitPolicy.slidingWindow(limit, Duration.ofMillis(200)));
    List<Decision> admitted = admitted(decisions);
    TreeMap<Long, Integer> counts = perFixedWindow(admitted, window);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(limit));
    // the model: at every admission, current + previous * (1 - elapsed share) <= limit
    for (Decision d : admitted) {
      long index = Math.floorDiv(d.micros(), window);
      int current =
          (int)
              admitted.stream()
                  .filter(
                      o -> Math.floorDiv(o.micros(), window) == index && o.micros() <= d.micros())
                  .count();
      int previous = counts.getOrDefault(index - 1, 0);
      double share = (d.micros() - index * window) / (double) window;
      assertThat(current + previous * (1 - share)).isLessThanOrEqualTo(limit + 1e-9);
    }
    // a denial is justified: the weighted estimate had no room left for one more unit
    long[] times = admitted.stream().mapToLong(Decision::micros).toArray();
    for (Decision d : decisions) {
      if (!d.allowed()) {
        long index = Math.floorDiv(d.micros(), window);
        long current = countAtMost(times, d.micros()) - countAtMost(times, index * window - 1);
        int previous = counts.getOrDefault(index - 1, 0);
        double share = (d.micros() - index * window) / (double) window;
        assertThat(current + previous * (1 - share) + 1)
            .as("estimate at a denial at %d", d.micros())
            .isGreaterThan(limit - 1e-9);
      }
    }
    int max = maxInSlidingWindow(admitted, window);
    assertThat(max).isLessThan(2 * limit);
    System.out.printf(
        "sliding window: %d decisions, per window %s, max per sliding window %d (bound < %d)%n",
        decisions.size(), counts.values(), max, 2 * limit);
  }

  @Test
  void tokenBucketAdmitsCapacityPlusRateTimesElapsed() throws Exception {
    int capacity = 10;
    double perSecond = 50;
    List<Decision> decisions = hammer("tb", RateLimitPolicy.tokenBucket(capacity, perSecond));
    checkBucket(decisions, capacity, perSecond, "token bucket");
  }

  @Test
  void leakyBucketAdmitsTheBurstThenTheLeakRate() throws Exception {
    int capacity = 10;
    double perSecond = 50;
    List<Decision> decisions = hammer("lb", RateLimitPolicy.leakyBucket(capacity, perSecond));
    checkBucket(decisions, capacity, perSecond, "leaky bucket");
  }

  private static void checkBucket(
      List<Decision> decisions, int capacity, double perSecond, String what) {
    List<Decision> admitted = admitted(decisions);
    double perMicro = perSecond / 1_000_000;
    // the burst: the first requests of a fresh identifier are all admitted
    assertThat(decisions.subList(0, capacity)).allSatisfy(d -> assertThat(d.allowed()).isTrue());
    double burst = maxBurst(admitted, perMicro);
    assertThat(burst).isLessThanOrEqualTo(capacity + 1e-6);
    long elapsed = decisions.getLast().micros() - decisions.getFirst().micros();
    double ceiling = capacity + perMicro * elapsed;
    assertThat((double) admitted.size())
        .isLessThanOrEqualTo(ceiling + 1e-6)
        .isGreaterThan(capacity);
    // replay the bucket: every denial came when it held less than one unit (admissions at the same
    // microsecond are replayed first, since their order against the denial is unknown)
    double tokens = capacity;
    long last = decisions.getFirst().micros();
    List<Decision> ordered = new ArrayList<>(decisions);
    ordered.sort(Comparator.comparingLong(Decision::micros).thenComparing(d -> !d.allowed()));
    for (Decision d : ordered) {
      tokens = Math.min(capacity, tokens + perMicro * (d.micros() - last));
      last = d.micros();
      if (d.allowed()) {
        tokens -= d.cost();
        assertThat(tokens).as("tokens after an admission at %d", d.micros()).isGreaterThan(-1e-6);
      } else {
        assertThat(tokens).as("tokens at a denial at %d", d.micros()).isLessThan(d.cost() + 1e-6);
      }
    }
    System.out.printf(
        "%s: %d decisions, %d admitted in %d ms (ceiling %.1f), max burst over rate %.3f%n",
        what, decisions.size(), admitted.size(), elapsed / 1000, ceiling, burst);
  }
}
