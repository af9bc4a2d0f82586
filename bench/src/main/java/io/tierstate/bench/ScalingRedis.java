package io.tierstate.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A plain connection to the benchmark's Redis for the scaling curves: what they need to set the
 * stage (flush, fill) and to read Redis's own accounting of memory.
 */
final class ScalingRedis implements AutoCloseable {
  static final CacheOptions HOUR = CacheOptions.ttl(Duration.ofHours(1));
  private static final int BATCH = 1_000;
  private static final long HOUR_MILLIS = 3_600_000;

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  final RedisCommands<String, String> sync;

  ScalingRedis(BenchRedis redis) {
    // Long timeouts: FLUSHDB and KEYS over a million keys are slow, and only set the stage.
    RedisURI uri = RedisURI.create(redis.url());
    uri.setTimeout(Duration.ofMinutes(2));
    client = RedisClient.create(uri);
    connection = client.connect();
    sync = connection.sync();
  }

  /** Empties the database and waits for the memory it held to be returned to Redis's accounting. */
  void flush() {
    sync.flushdb();
  }

  /** {@code used_memory} from {@code INFO memory}, in bytes. */
  long usedMemory() {
    return sync.info("memory").lines()
        .filter(line -> line.startsWith("used_memory:"))
        .mapToLong(line -> Long.parseLong(line.substring("used_memory:".length()).strip()))
        .findFirst().orElseThrow();
  }

  /** {@code MEMORY USAGE key SAMPLES 0}: every element counted, not a sample. */
  long memoryUsage(String key) {
    Long bytes = memoryUsageIfPresent(key);
    if (bytes == null) {
      throw new IllegalStateException("no key " + key + " in Redis");
    }
    return bytes;
  }

  /** The sum of {@code MEMORY USAGE} over the keys matching a glob (a key that expired meanwhile counts 0). */
  long memoryUsageOfAll(String glob) {
    long sum = 0;
    for (String key : sync.keys(glob)) {
      Long bytes = memoryUsageIfPresent(key);
      sum += bytes == null ? 0 : bytes;
    }
    return sum;
  }

  private @Nullable Long memoryUsageIfPresent(String key) {
    return connection.sync().dispatch(CommandType.MEMORY, new IntegerOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key).add("SAMPLES").add(0));
  }

  /** The one Redis key matching a glob (for Tierstate's own keys, whose prefix is its business). */
  String onlyKey(String glob) {
    List<String> keys = sync.keys(glob);
    if (keys.size() != 1) {
      throw new IllegalStateException("expected one key matching " + glob + ", found " + keys.size());
    }
    return keys.get(0);
  }

  /** Writes {@code count} entries {@code prefix + i} through Tierstate, a batch of 1,000 at a time. */
  static void fill(Tierstate node, String prefix, int count, CacheOptions options) {
    Map<String, Value> batch = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      batch.put(prefix + i, Value.of(i));
      if (batch.size() == BATCH || i == count - 1) {
        node.cache().setAll(batch, options);
        batch.clear();
      }
    }
  }

  /**
   * Writes {@code count} plain keys {@code prefix + i} with the same JSON Tierstate would encode and
   * an hour's TTL, as a hand-written cache-aside would.
   */
  void fillPlain(String prefix, int count) {
    RedisClient bytesClient = client;
    try (var bytes = bytesClient.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
      var async = bytes.async();
      List<io.lettuce.core.RedisFuture<String>> pending = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        pending.add(async.set((prefix + i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Value.json(Value.of(i)), io.lettuce.core.SetArgs.Builder.px(HOUR_MILLIS)));
        if (pending.size() == BATCH || i == count - 1) {
          for (var future : pending) {
            future.toCompletableFuture().join();
          }
          pending.clear();
        }
      }
    }
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
