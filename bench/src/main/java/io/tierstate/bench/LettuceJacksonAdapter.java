package io.tierstate.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Raw Lettuce and Jackson, as an application would cache JSON in Redis without Tierstate: a sync
 * {@code GET} on one shared connection, then {@code readValue} with a reader made once. The L2
 * floor: no envelope, no breaker, no metrics, no L1.
 */
final class LettuceJacksonAdapter implements CacheAdapter {
  /** Keeps these keys apart from Tierstate's, which live under {@code bench:{...}}. */
  private static final String PREFIX = "raw:";
  private static final int BATCH = 500;

  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCommands<String, byte[]> redis;
  private final ObjectReader reader = JsonMapper.builder().build().readerFor(Value.class);

  LettuceJacksonAdapter(BenchRedis server) {
    client = RedisClient.create(server.url());
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    redis = connection.sync();
  }

  @Override
  public void populate(Map<String, Value> entries) {
    Map<String, byte[]> batch = new HashMap<>();
    for (Map.Entry<String, Value> entry : entries.entrySet()) {
      batch.put(PREFIX + entry.getKey(), Value.json(entry.getValue()));
      if (batch.size() == BATCH) {
        redis.mset(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      redis.mset(batch);
    }
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
  }

  @Override
  public @Nullable Value get(String key) {
    byte[] bytes = redis.get(PREFIX + key);
    if (bytes == null) {
      return null;
    }
    try {
      return reader.readValue(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One {@code MGET}, then a Jackson decode of each value. */
  @Override
  public Map<String, Value> getAll(List<String> keys) {
    String[] prefixed = new String[keys.size()];
    for (int i = 0; i < prefixed.length; i++) {
      prefixed[i] = PREFIX + keys.get(i);
    }
    Map<String, Value> found = new LinkedHashMap<>();
    for (KeyValue<String, byte[]> entry : redis.mget(prefixed)) {
      if (entry.hasValue()) {
        try {
          found.put(entry.getKey().substring(PREFIX.length()), reader.readValue(entry.getValue()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return found;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
