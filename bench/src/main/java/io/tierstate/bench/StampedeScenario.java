package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A cache stampede: {@value #CALLERS} concurrent misses on one key, spread evenly over {@value
 * #NODES} nodes, with a loader that takes {@value #LOADER_MILLIS} ms (a slow query). For each
 * subject, {@value #WARM_UP_ROUNDS} unmeasured warm-up rounds, then rounds on fresh keys, each reporting how many times
 * the loader ran and how long the slowest caller waited:
 *
 * <ul>
 *   <li>Tierstate: one instance per node, {@code getOrLoad}; it promises one load across the
 *       cluster (local single-flight plus a Redis lease).
 *   <li>Spring Data Redis: one {@code RedisCache} per node, {@code get(key, loader)}, with the
 *       default non-locking writer and with the locking writer.
 *   <li>Caffeine alone: one cache per node, {@code get(key, loader)}; one load per node at best.
 * </ul>
 *
 * <p>Run by {@link Scenarios}, or alone: {@code "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar
 * io.tierstate.bench.StampedeScenario}.
 */
public final class StampedeScenario {
  static final int CALLERS = 64;
  static final int NODES = 2;
  static final int LOADER_MILLIS = 50;
  /**
   * Unmeasured rounds first: the first stampedes on a fresh JVM also compile the read path with 64
   * threads waiting on 2 cores, which says nothing about a stampede in a running service.
   */
  static final int WARM_UP_ROUNDS = 3;
  private static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofMinutes(5));
  private static final long TIMEOUT_SECONDS = 60;

  private StampedeScenario() {}

  /** What one round measured. */
  record Round(int loaderCalls, long wallMillis, int callersServed) {}

  /** One node's view of the read under test. */
  interface Node {
    @Nullable Value getOrLoad(String key, Function<String, Value> loader);
  }

  /** Runs the scenario alone and prints its section. */
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, RunMode.FULL).markdown());
    }
  }

  /**
   * Runs every subject and reports; in any mode, fails if a Tierstate round ran the loader more
   * than once or left a caller without the value.
   */
  static Section run(BenchRedis redis, RunMode mode) throws Exception {
    int rounds = mode.pick(1, 5);
    Section section = new Section("Stampede: " + CALLERS + " concurrent misses over " + NODES + " nodes");
    section.paragraph(
        CALLERS + " callers miss on one key at the same moment, alternating over " + NODES
            + " nodes (each node its own client and connections on the same Redis), with a loader"
            + " that sleeps " + LOADER_MILLIS + " ms. Each subject first runs " + WARM_UP_ROUNDS
            + " unmeasured warm-up rounds, then " + rounds + " rounds, each on a fresh key. Wall time runs from the"
            + " release of the callers until the last one has its value.");
    Table table = new Table("subject", "loader calls per round", "wall time per round, ms",
        "callers served");
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try {
      long run = System.nanoTime();
      List<Round> tierstate;
      try (Tierstate a = Tierstate.create(redis.tierstateConfig().nodeId("stampede-a").build());
          Tierstate b = Tierstate.create(redis.tierstateConfig().nodeId("stampede-b").build())) {
        List<Node> nodes = new ArrayList<>();
        for (Tierstate node : List.of(a, b)) {
          Invalidations.awaitFlowing(node);
          nodes.add((key, loader) -> node.cache().getOrLoad(key, Value.class, () -> loader.apply(key), OPTIONS));
        }
        tierstate = rounds(callers, nodes, "ts:" + run, rounds);
      }
      row(table, "Tierstate `getOrLoad`", tierstate);
      for (SpringCaches.Writer writer : SpringCaches.Writer.values()) {
        try (SpringCaches a = new SpringCaches(redis, "stampede", writer);
            SpringCaches b = new SpringCaches(redis, "stampede", writer)) {
          List<Node> nodes = new ArrayList<>();
          for (SpringCaches node : List.of(a, b)) {
            nodes.add((key, loader) -> node.cache().get(key, () -> loader.apply(key)));
          }
          String label = writer == SpringCaches.Writer.LOCKING
              ? "Spring Data Redis, locking writer" : "Spring Data Redis, default writer";
          row(table, label, rounds(callers, nodes, "spring-" + writer + ":" + run, rounds));
        }
      }
      List<Node> caffeine = new ArrayList<>();
      for (int n = 0; n < NODES; n++) {
        Cache<String, Value> cache = Caffeine.newBuilder().maximumSize(10_000).build();
        caffeine.add(cache::get);
      }
      row(table, "Caffeine alone (per node)", rounds(callers, caffeine, "caffeine:" + run, rounds));
      section.table(table);

      for (Round round : tierstate) {
        Checks.check(round.callersServed() == CALLERS,
            "Tierstate stampede served " + round.callersServed() + " of " + CALLERS + " callers");
        Checks.check(round.loaderCalls() == 1,
            "Tierstate stampede ran the loader " + round.loaderCalls() + " times across " + NODES
                + " nodes; the guarantee is once");
      }
      long worst = tierstate.stream().mapToLong(Round::wallMillis).max().orElseThrow();
      section.target("exactly 1 loader call across " + NODES + " nodes, every round",
          tierstate.stream().map(r -> String.valueOf(r.loaderCalls())).collect(Collectors.joining(", ")),
          true);
      section.target("every caller served within 1.5x the loader's " + LOADER_MILLIS + " ms ("
              + (LOADER_MILLIS * 3 / 2) + " ms), slowest round",
          worst + " ms", worst <= LOADER_MILLIS * 3 / 2);
      return section;
    } finally {
      callers.shutdownNow();
    }
  }

  private static void row(Table table, String subject, List<Round> rounds) {
    table.row(subject,
        rounds.stream().map(r -> String.valueOf(r.loaderCalls())).collect(Collectors.joining(", ")),
        rounds.stream().map(r -> String.valueOf(r.wallMillis())).collect(Collectors.joining(", ")),
        rounds.stream().map(r -> r.callersServed() + "/" + CALLERS).distinct().collect(Collectors.joining(", ")));
  }

  /** {@value #WARM_UP_ROUNDS} warm-up rounds (not returned), then {@code rounds} measured ones. */
  private static List<Round> rounds(ExecutorService callers, List<Node> nodes, String prefix, int rounds)
      throws InterruptedException, ExecutionException {
    for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
      var unused = stampede(callers, nodes, prefix + ":warm-up-" + round);
    }
    List<Round> measured = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      measured.add(stampede(callers, nodes, prefix + ":" + round));
    }
    return measured;
  }

  /** Releases {@value #CALLERS} callers at once, alternating over the nodes, on a fresh key. */
  static Round stampede(ExecutorService callers, List<Node> nodes, String key)
      throws InterruptedException, ExecutionException {
    AtomicInteger loads = new AtomicInteger();
    Function<String, Value> loader = k -> {
      loads.incrementAndGet();
      try {
        TimeUnit.MILLISECONDS.sleep(LOADER_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("loader interrupted", e);
      }
      return Value.of(42);
    };
    CountDownLatch ready = new CountDownLatch(CALLERS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<@Nullable Value>> results = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Node node = nodes.get(i % nodes.size());
      results.add(callers.submit(() -> {
        ready.countDown();
        go.await();
        return node.getOrLoad(key, loader);
      }));
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    int served = 0;
    Value expected = Value.of(42);
    for (Future<@Nullable Value> result : results) {
      try {
        if (Objects.equals(result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), expected)) {
          served++;
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("a caller waited more than " + TIMEOUT_SECONDS + "s for '" + key + "'", e);
      }
    }
    long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return new Round(loads.get(), wallMillis, served);
  }
}
