package io.tierstate.bench;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.tierstate.lock.LockHandle;
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
 * Latency of an uncontended lock acquire plus release (each thread its own lock), beside the raw
 * Lettuce floor of the same two round trips (SET NX PX, then DEL) in the same run.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LockBenchmark {
  /** What one operation is. */
  public enum Implementation {
    /** {@code ts.locks().acquire(...)} then {@code close()}: two Lua scripts, fencing token included. */
    TIERSTATE,
    /** Raw Lettuce SET NX PX then DEL: no owner check, no fencing token. */
    RAW_LETTUCE
  }

  @Param({"TIERSTATE", "RAW_LETTUCE"})
  public Implementation implementation = Implementation.TIERSTATE;

  private @Nullable BenchNode node;
  private final AtomicInteger threadIds = new AtomicInteger();

  /** The lock this thread takes. */
  @State(Scope.Thread)
  public static class Name {
    String value = "";

    @Setup(Level.Trial)
    public void setUp(LockBenchmark benchmark) {
      value = "bench-lock-" + benchmark.threadIds.getAndIncrement();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    node = new BenchNode("bench-locks");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (node != null) {
      node.close();
    }
  }

  /** One acquire plus release. */
  @Benchmark
  @Threads(1)
  public Object acquireRelease(Name name) {
    if (implementation == Implementation.RAW_LETTUCE) {
      RedisCommands<String, String> commands = require(node).raw;
      String set = commands.set("raw:" + name.value, "owner", SetArgs.Builder.nx().px(30_000));
      commands.del("raw:" + name.value);
      return String.valueOf(set);
    }
    try (LockHandle handle = require(node).tierstate.locks()
        .acquire(name.value, Duration.ofSeconds(30), Duration.ofSeconds(1))) {
      return handle.fencingToken();
    }
  }

  private static <T> T require(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("benchmark state was not set up");
    }
    return value;
  }
}
