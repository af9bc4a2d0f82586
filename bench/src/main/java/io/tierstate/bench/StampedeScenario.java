package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A cache stampede: {@value #CALLERS} concurrent misses on one key, spread evenly over {@value
 * #NODES} nodes, with a loader that takes {@value #LOADER_MILLIS} ms (a slow query). Prints, for
 * each of {@value #ROUNDS} rounds on a fresh key, how many times the loader ran and how long the
 * slowest caller waited:
 *
 * <ul>
 *   <li>Tierstate: one instance per node, {@code getOrLoad}; the guarantee is one load across the
 *       cluster (local single-flight plus a Redis lease).
 *   <li>Caffeine alone: one cache per node, {@code cache.get(key, loader)}; it can only promise one
 *       load per node.
 * </ul>
 *
 * <p>Uses {@code REDIS_URL} if set, else starts a Redis server. Run with {@code bench/run.sh}, or
 * {@code java -cp bench/target/benchmarks.jar io.tierstate.bench.StampedeScenario}.
 */
public final class StampedeScenario {
  static final int CALLERS = 64;
  static final int NODES = 2;
  static final int LOADER_MILLIS = 50;
  static final int ROUNDS = 5;
  private static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofMinutes(5));
  private static final long TIMEOUT_SECONDS = 60;

  private StampedeScenario() {}

  /** What one round measured. */
  record Round(int loaderCalls, long wallMillis, int callersServed) {}

  /** One node's view of the read under test. */
  private interface Node {
    @Nullable Value getOrLoad(String key, Function<String, Value> loader);
  }

  /** Runs the scenario and prints its results. */
  public static void main(String[] args) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try (BenchRedis redis = BenchRedis.startOrConnect();
        Tierstate nodeA = Tierstate.create(redis.tierstateConfig().nodeId("stampede-a").build());
        Tierstate nodeB = Tierstate.create(redis.tierstateConfig().nodeId("stampede-b").build())) {
      List<Tierstate> nodes = List.of(nodeA, nodeB);
      for (Tierstate node : nodes) {
        awaitFlowing(node);
      }
      List<Node> tierstate = new ArrayList<>();
      for (Tierstate node : nodes) {
        tierstate.add((key, loader) -> node.cache().getOrLoad(key, Value.class, () -> loader.apply(key), OPTIONS));
      }
      System.out.printf(Locale.ROOT, "Stampede: %d concurrent misses on one key over %d nodes, %d ms loader%n",
          CALLERS, NODES, LOADER_MILLIS);
      System.out.printf(Locale.ROOT, "%-16s %5s %12s %13s %8s%n", "implementation", "round", "loader calls",
          "wall time ms", "served");
      long run = System.nanoTime();
      for (int round = 1; round <= ROUNDS; round++) {
        print("Tierstate", round, stampede(callers, tierstate, "stampede:" + run + ":" + round));
      }
      for (int round = 1; round <= ROUNDS; round++) {
        List<Node> caffeine = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
          Cache<String, Value> cache = Caffeine.newBuilder().maximumSize(10_000).build();
          caffeine.add(cache::get);
        }
        print("Caffeine alone", round, stampede(callers, caffeine, "stampede:" + run + ":" + round));
      }
    } finally {
      callers.shutdownNow();
    }
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
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("a caller waited more than " + TIMEOUT_SECONDS + "s for '" + key + "'", e);
      }
    }
    long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return new Round(loads.get(), wallMillis, served);
  }

  private static void print(String implementation, int round, Round result) {
    System.out.printf(Locale.ROOT, "%-16s %5d %12d %13d %5d/%d%n", implementation, round, result.loaderCalls(),
        result.wallMillis(), result.callersServed(), CALLERS);
  }

  private static void awaitFlowing(Tierstate node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!node.invalidationsFlowing()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("invalidations did not start flowing on " + node.nodeId() + " within 10s");
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }
}
