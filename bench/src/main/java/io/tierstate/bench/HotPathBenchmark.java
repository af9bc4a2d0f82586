package io.tierstate.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import io.tierstate.keys.CacheKeys;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The in-process work of every cache read and write, next to what the same work costs without
 * Tierstate: encoding and decoding a {@link Value} with Tierstate's {@link JacksonCodec} against a
 * plain Jackson reader and writer, and building and checking a tenant-scoped key against string
 * concatenation. The L1 hit path itself is measured by {@link GetBenchmark} ({@code TIERSTATE_L1}
 * against {@code CAFFEINE}).
 *
 * <p>Run with {@code "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar HotPathBenchmark}; the full mode of
 * {@code bench/run.sh} reports it as a table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class HotPathBenchmark {
  private static final TypeRef<Value> VALUE = TypeRef.of(Value.class);

  private final JacksonCodec codec = JacksonCodec.create();
  private final ObjectReader reader = JsonMapper.builder().build().readerFor(Value.class);
  private final ObjectWriter writer = JsonMapper.builder().build().writerFor(Value.class);
  private final Value value = Value.of(4_242);
  private final byte[] json = Value.json(value);
  private long tenant = 42;
  private long user = 1_000_007;

  /** Tierstate's codec: a {@link Value} to JSON bytes. */
  @Benchmark
  public byte[] codecEncode() {
    return codec.encode(value);
  }

  /** The peer of {@link #codecEncode}: a plain Jackson writer. */
  @Benchmark
  public byte[] jacksonEncode() throws IOException {
    return writer.writeValueAsBytes(value);
  }

  /** Tierstate's codec: JSON bytes to a {@link Value}. */
  @Benchmark
  public Value codecDecode() {
    return codec.decode(json, VALUE);
  }

  /** The peer of {@link #codecDecode}: a plain Jackson reader. */
  @Benchmark
  public Value jacksonDecode() throws IOException {
    return reader.readValue(json);
  }

  /** A checked, tenant-scoped key: {@code tenant:42:user:1000007}. */
  @Benchmark
  public String tenantKey() {
    return CacheKeys.tenant(tenant).entity("user", user);
  }

  /** The peer of {@link #tenantKey}: the same text by concatenation, unchecked. */
  @Benchmark
  public String concatenatedKey() {
    return "tenant:" + tenant + ":user:" + user;
  }

  /** The check every read of a key not in L1 makes. */
  @Benchmark
  public String validateKey() {
    return CacheKeys.requireValidKey("tenant:42:user:1000007");
  }
}
