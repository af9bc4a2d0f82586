package io.tierstate.bench;

import io.lettuce.core.api.sync.RedisCommands;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Rate-limit decisions per second on one node (one shared connection) for each algorithm, beside
 * the raw Lettuce round trip of the same shape (one INCR per decision) measured in the same run.
 *
 * <p>Rate limits use 1,000 identifiers at 100 requests per second each, so decisions are a mix of
 * allowed (which write) and denied (which do not).
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class PrimitivesBenchmark {
  private static final int IDENTIFIERS = 1_000;

  /** What one operation is. */
  public enum Operation {
    FIXED_WINDOW,
    SLIDING_LOG,
    SLIDING_WINDOW,
    TOKEN_BUCKET,
    LEAKY_BUCKET,
    /** The floor of a rate-limit decision: one raw Lettuce INCR. */
    RAW_INCR;

    @Nullable RateLimitPolicy policy() {
      Duration second = Duration.ofSeconds(1);
      return switch (this) {
        case FIXED_WINDOW -> RateLimitPolicy.fixedWindow(100, second);
        case SLIDING_LOG -> RateLimitPolicy.slidingLog(100, second);
        case SLIDING_WINDOW -> RateLimitPolicy.slidingWindow(100, second);
        case TOKEN_BUCKET -> RateLimitPolicy.tokenBucket(100, 100.0);
        case LEAKY_BUCKET -> RateLimitPolicy.leakyBucket(100, 100.0);
        case RAW_INCR -> null;
      };
    }
  }

  @Param({"FIXED_WINDOW", "SLIDING_LOG", "SLIDING_WINDOW", "TOKEN_BUCKET", "LEAKY_BUCKET", "RAW_INCR"})
  public Operation operation = Operation.FIXED_WINDOW;

  private @Nullable BenchNode node;
  private @Nullable RateLimitPolicy policy;
  private final String[] identifiers = new String[IDENTIFIERS];
  private final AtomicInteger threadIds = new AtomicInteger();

  /** Each thread walks the identifiers from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void setUp(PrimitivesBenchmark benchmark) {
      next = benchmark.threadIds.getAndIncrement() * 7919;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    node = new BenchNode("bench-primitives");
    policy = operation.policy();
    for (int i = 0; i < IDENTIFIERS; i++) {
      identifiers[i] = "user:" + i;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (node != null) {
      node.close();
    }
  }

  private Object decide(Cursor cursor) {
    String identifier = identifiers[(cursor.next++ & Integer.MAX_VALUE) % IDENTIFIERS];
    RateLimitPolicy current = policy;
    if (current == null) {
      return requireNonNull(node).raw.incr("raw:" + identifier);
    }
    RateLimiter limiter = requireNonNull(node).tierstate.rateLimiter();
    RateLimitResult result = limiter.limit(identifier, current);
    return result;
  }

  /** Rate-limit decisions per second, one caller. */
  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Object rateLimitOneThread(Cursor cursor) {
    return decide(cursor);
  }

  /** Rate-limit decisions per second, four callers sharing the node's one connection. */
  @Benchmark
  @Threads(4)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Object rateLimitFourThreads(Cursor cursor) {
    return decide(cursor);
  }

  private static <T> T requireNonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("benchmark state was not set up");
    }
    return value;
  }
}
