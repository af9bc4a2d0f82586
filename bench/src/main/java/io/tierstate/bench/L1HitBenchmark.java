package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * An L1 hit in the shapes services run: 100 keys (CPU-bound), 10,000 and 1,000,000 keys
 * (memory-bound), uniform and Zipf, 1 and 4 threads. Each read builds its key afresh ({@code
 * "tenant:7:user:" + n}, as a service builds a key per request), so the cache must hash and
 * compare a {@code String} it has never seen; the value read is consumed by a {@link Blackhole}
 * and one of its fields read, so that no subject can skip touching it.
 *
 * <p>The references, in the same run: {@code CAFFEINE} ({@code getIfPresent} on a size-bounded
 * cache) and {@code CAFFEINE_EXPIRY} (the same with a per-entry {@link Expiry}, as an application
 * with per-key TTLs writes it). {@code TIERSTATE_L1} is {@code cache().get(key, Value.class)} on a
 * node with every key in its trusted L1, hot-key sampling at its default (one read in {@value
 * TierstateConfig#DEFAULT_HOT_KEY_SAMPLING}); {@code TIERSTATE_L1_NO_SAMPLING} the same with
 * sampling off ({@code hotKeySampling(0)}), so that one run shows what sampling costs an L1 hit;
 * {@code TIERSTATE_L1_REGISTRY} the same as {@code TIERSTATE_L1} with a {@code
 * SimpleMeterRegistry} passed in (its meters then also feed Tierstate's own Prometheus registry). Building the key allocates the same bytes in every subject; {@code -prof gc} shows
 * what a subject allocates beyond it. Run with {@code bench/run.sh --l1}; see {@code
 * docs/benchmarks.md}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xms3g",
      "-Xmx3g",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      "-Dio.lettuce.core.epoll=false"
    })
public class L1HitBenchmark {
  private static final String PREFIX = "tenant:7:user:";

  /** What reads. */
  public enum Subject {
    CAFFEINE,
    CAFFEINE_EXPIRY,
    TIERSTATE_L1,
    TIERSTATE_L1_NO_SAMPLING,
    TIERSTATE_L1_REGISTRY
  }

  @Param({"CAFFEINE", "CAFFEINE_EXPIRY", "TIERSTATE_L1", "TIERSTATE_L1_NO_SAMPLING"})
  public Subject subject = Subject.CAFFEINE;

  @Param({"100", "10000", "1000000"})
  public int keys = 100;

  @Param({"UNIFORM", "ZIPF"})
  public KeyDistribution distribution = KeyDistribution.UNIFORM;

  private @Nullable BenchRedis redis;
  private @Nullable Tierstate tierstate;
  private @Nullable Cache<String, Value> caffeine;

  /** Each thread's own sequence of key numbers, drawn ahead so that drawing is not measured. */
  @State(Scope.Thread)
  public static class ThreadState {
    private static final int SIZE = 1 << 16;
    private static final int MASK = SIZE - 1;
    private int[] indexes = new int[SIZE];
    private int next;

    @Setup(Level.Trial)
    public void draw(L1HitBenchmark benchmark) {
      indexes =
          benchmark.distribution.draw(benchmark.keys, SIZE, Thread.currentThread().threadId());
    }

    int nextIndex() {
      return indexes[next++ & MASK];
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    Map<String, Value> entries = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      entries.put(PREFIX + i, Value.of(i));
    }
    switch (subject) {
      case CAFFEINE -> caffeine = Caffeine.newBuilder().maximumSize(keys).build();
      case CAFFEINE_EXPIRY ->
          caffeine =
              Caffeine.newBuilder().maximumSize(keys).expireAfter(new PerEntryExpiry()).build();
      case TIERSTATE_L1, TIERSTATE_L1_NO_SAMPLING, TIERSTATE_L1_REGISTRY -> {
        redis = BenchRedis.startOrConnect();
        var config = redis.tierstateConfig().nodeId("bench-l1-hit").l1MaximumSize(keys);
        if (subject == Subject.TIERSTATE_L1_REGISTRY) {
          config.meterRegistry(new SimpleMeterRegistry());
        }
        if (subject == Subject.TIERSTATE_L1_NO_SAMPLING) {
          config.hotKeySampling(0);
        }
        tierstate = Tierstate.create(config.build());
        Invalidations.awaitFlowing(tierstate);
        Map<String, Value> batch = new LinkedHashMap<>();
        for (Map.Entry<String, Value> entry : entries.entrySet()) {
          batch.put(entry.getKey(), entry.getValue());
          if (batch.size() == 1_000) {
            tierstate.cache().setAll(batch, CacheOptions.ttl(Duration.ofHours(1)));
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          tierstate.cache().setAll(batch, CacheOptions.ttl(Duration.ofHours(1)));
        }
      }
    }
    if (caffeine != null) {
      caffeine.putAll(entries);
    }
    long hitsBefore = tierstate == null ? 0 : tierstate.metrics().snapshot().l1Hits();
    for (Map.Entry<String, Value> entry : entries.entrySet()) {
      Checks.require(entry.getValue().equals(read(entry.getKey())), entry.getKey(), "subject");
    }
    if (tierstate != null) {
      Checks.require(
          tierstate.metrics().snapshot().l1Hits() - hitsBefore == keys, "(any)", "an L1 hit");
    }
  }

  /** Fails the trial if Tierstate answered any read from Redis: the run did not measure L1. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (tierstate != null) {
      long misses = tierstate.metrics().snapshot().l1Misses();
      tierstate.close();
      if (misses != 0) {
        System.err.println("BENCH WARNING " + subject + " " + keys + ": " + misses + " L1 misses");
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** One reader. */
  @Benchmark
  @Threads(1)
  public void oneThread(ThreadState thread, Blackhole blackhole) {
    consume(thread, blackhole);
  }

  /** Four readers on the two cores of the machine the documented figures come from. */
  @Benchmark
  @Threads(4)
  public void fourThreads(ThreadState thread, Blackhole blackhole) {
    consume(thread, blackhole);
  }

  private void consume(ThreadState thread, Blackhole blackhole) {
    Value value = read(PREFIX + thread.nextIndex());
    blackhole.consume(value);
    blackhole.consume(Objects.requireNonNull(value).id());
  }

  private @Nullable Value read(String key) {
    Tierstate t = tierstate;
    if (t != null) {
      return t.cache().get(key, Value.class).orElse(null);
    }
    return Objects.requireNonNull(caffeine).getIfPresent(key);
  }

  /** A per-entry lifetime of an hour from the write, not extended by reads. */
  static final class PerEntryExpiry implements Expiry<String, Value> {
    private static final long HOUR = Duration.ofHours(1).toNanos();

    @Override
    public long expireAfterCreate(String key, Value value, long currentTime) {
      return HOUR;
    }

    @Override
    public long expireAfterUpdate(
        String key, Value value, long currentTime, long currentDuration) {
      return HOUR;
    }

    @Override
    public long expireAfterRead(String key, Value value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
