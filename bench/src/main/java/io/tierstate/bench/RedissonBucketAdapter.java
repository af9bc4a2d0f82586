package io.tierstate.bench;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.codec.TypedJsonJacksonCodec;

/**
 * Redisson alone, one {@code RBucket<Value>} per key with a Jackson codec: {@code
 * getBucket(key, codec).get()}, a Redis {@code GET} and a Jackson decode on every read. The L2
 * peer a Redisson user would pick.
 */
final class RedissonBucketAdapter implements CacheAdapter {
  /** Keeps these keys apart from the other adapters'. */
  private static final String PREFIX = "redisson:";
  private static final int BATCH = 500;

  private final RedissonClient client;
  private final TypedJsonJacksonCodec codec = Redissons.valueCodec();

  RedissonBucketAdapter(BenchRedis redis) {
    client = Redissons.connect(redis);
  }

  @Override
  public void populate(Map<String, Value> entries) {
    Map<String, Value> batch = new HashMap<>();
    for (Map.Entry<String, Value> entry : entries.entrySet()) {
      batch.put(PREFIX + entry.getKey(), entry.getValue());
      if (batch.size() == BATCH) {
        write(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      write(batch);
    }
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
  }

  private void write(Map<String, Value> batch) {
    RBatch writes = client.createBatch();
    for (Map.Entry<String, Value> entry : batch.entrySet()) {
      // execute() fails if any write in the batch failed.
      var unused = writes.<Value>getBucket(entry.getKey(), codec).setAsync(entry.getValue());
    }
    writes.execute();
  }

  @Override
  public @Nullable Value get(String key) {
    return client.<Value>getBucket(PREFIX + key, codec).get();
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
