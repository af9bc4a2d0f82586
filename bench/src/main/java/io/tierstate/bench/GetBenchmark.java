package io.tierstate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

/**
 * Read hits: {@value #KEYS} keys, each holding a {@link Value} ({@value Value#JSON_BYTES} bytes of
 * JSON), read by 1 and by 4 threads, picked uniformly or Zipf-skewed ({@link KeyDistribution}).
 *
 * <ul>
 *   <li>{@code CAFFEINE} and {@code TIERSTATE_L1} measure an L1 hit: every key is in process, and
 *       Tierstate's L1 is trusted (its invalidation listener is connected) before the run starts.
 *   <li>{@code LETTUCE_JACKSON} and {@code TIERSTATE_L2} measure an L2 hit: a Redis round trip and
 *       a Jackson decode, Tierstate with its L1 disabled.
 *   <li>The peers a user would pick instead, in the same run: {@code REDISSON_LOCAL_CACHED_MAP} and
 *       {@code JETCACHE_LOCAL} for an L1 hit; {@code REDISSON_BUCKET}, {@code JETCACHE_REMOTE} and
 *       {@code SPRING_DATA_REDIS} for an L2 hit.
 * </ul>
 *
 * <p>Compare the pairs as ratios measured in the same run; see {@code docs/benchmarks.md}. Run with
 * {@code bench/run.sh}, or {@code "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar GetBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xms1g",
      "-Xmx1g",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      // Netty's NIO transport, what Lettuce users get by default (epoll is on the class path for
      // the transport comparison of the latency scenario).
      "-Dio.lettuce.core.epoll=false"
    })
public class GetBenchmark {
  /**
   * The system property naming a file to which each trial appends its adapter's anomalies, so
   * that the process running JMH can report them; unset, they only go to standard error.
   */
  static final String WARNINGS_PROPERTY = "bench.warnings";

  /** How many distinct keys are read. */
  static final int KEYS = 10_000;

  /** The adapter measured; JMH runs the benchmarks once per value. */
  @Param({
    "CAFFEINE",
    "TIERSTATE_L1",
    "LETTUCE_JACKSON",
    "TIERSTATE_L2",
    "TIERSTATE_L2_SHARED",
    "REDISSON_BUCKET",
    "REDISSON_LOCAL_CACHED_MAP",
    "JETCACHE_LOCAL",
    "JETCACHE_REMOTE",
    "SPRING_DATA_REDIS",
    "SOCKET_FLOOR"
  })
  public Implementation implementation = Implementation.CAFFEINE;

  private @Nullable BenchRedis redis;
  private @Nullable CacheAdapter cache;
  private String[] names = new String[0];

  /** How keys are picked: uniformly, or Zipf-skewed (s = 0.99) like real read traffic. */
  @Param({"UNIFORM", "ZIPF"})
  public KeyDistribution keys = KeyDistribution.UNIFORM;

  /** Each thread's own sequence of key indexes, drawn ahead of time so drawing is not measured. */
  @State(Scope.Thread)
  public static class ThreadState {
    private static final int SIZE = 1 << 16;
    private static final int MASK = SIZE - 1;

    private int[] indexes = new int[SIZE];
    private int next;

    /** Draws the sequence, seeded by the thread so that each thread reads its own order. */
    @Setup(Level.Trial)
    public void draw(GetBenchmark benchmark) {
      indexes = benchmark.keys.draw(KEYS, SIZE, Thread.currentThread().threadId());
    }

    int nextIndex() {
      return indexes[next++ & MASK];
    }
  }

  /** Starts Redis (unless {@code REDIS_URL} is set) and fills the cache under test. */
  @Setup(Level.Trial)
  public void setUp() {
    redis = BenchRedis.startOrConnect();
    Map<String, Value> entries = new LinkedHashMap<>();
    names = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      names[i] = "value:" + i;
      entries.put(names[i], Value.of(i));
    }
    cache = implementation.create(redis, KEYS);
    cache.populate(entries);
  }

  /** Reports anomalies, closes the cache, then stops Redis. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (cache != null) {
      String anomalies = cache.anomalies();
      if (anomalies != null) {
        String line = "BENCH WARNING " + implementation + " " + keys + ": " + anomalies;
        System.err.println(line);
        String file = System.getProperty(WARNINGS_PROPERTY);
        if (file != null) {
          try {
            Files.writeString(Path.of(file), line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot record the warning in " + file, e);
          }
        }
      }
      cache.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** One reader. */
  @Benchmark
  @Threads(1)
  public @Nullable Value oneThread(ThreadState thread) {
    return read(thread);
  }

  /** Four readers, twice the cores of the machine the figures in the docs come from. */
  @Benchmark
  @Threads(4)
  public @Nullable Value fourThreads(ThreadState thread) {
    return read(thread);
  }

  private @Nullable Value read(ThreadState thread) {
    return Objects.requireNonNull(cache).get(names[thread.nextIndex()]);
  }
}
