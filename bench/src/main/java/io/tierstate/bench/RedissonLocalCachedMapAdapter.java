package io.tierstate.bench;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;

/**
 * Redisson's {@code RLocalCachedMap<String, Value>} (a Redis hash with a local cache kept coherent
 * by invalidation messages), with a Jackson codec and every key in its local cache: the L1 peer a
 * Redisson user would pick.
 */
final class RedissonLocalCachedMapAdapter implements CacheAdapter {
  private final RedissonClient client;
  private final RLocalCachedMap<String, Value> map;
  private int populated;

  RedissonLocalCachedMapAdapter(BenchRedis redis, int maximumSize) {
    client = Redissons.connect(redis);
    map =
        client.getLocalCachedMap(
            LocalCachedMapOptions.<String, Value>name("redisson-local:" + System.nanoTime())
                .codec(Redissons.mapCodec())
                .cacheSize(maximumSize));
  }

  @Override
  public void populate(Map<String, Value> entries) {
    map.putAll(entries);
    entries.forEach((key, value) -> map.get(key)); // a read caches the key if the write did not
    Map<String, Value> local = map.getCachedMap();
    entries.forEach(
        (key, value) -> Checks.require(value.equals(local.get(key)), key, "the local cache"));
    populated = local.size();
  }

  @Override
  public @Nullable Value get(String key) {
    return map.get(key);
  }

  /** Keys that left the local cache after populating (evicted or invalidated). */
  @Override
  public @Nullable String anomalies() {
    int cached = map.getCachedMap().size();
    return cached >= populated
        ? null
        : (populated - cached) + " of " + populated + " keys left the local cache";
  }

  @Override
  public void close() {
    map.delete();
    map.destroy();
    client.shutdown();
  }
}
