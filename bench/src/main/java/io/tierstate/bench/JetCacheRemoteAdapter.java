package io.tierstate.bench;

import com.alicp.jetcache.Cache;
import io.lettuce.core.RedisClient;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JetCache's remote cache alone ({@code RedisLettuceCache}, on Lettuce): every {@code get} is a
 * Redis {@code GET} and a decode. The L2 peer a JetCache user would pick.
 */
final class JetCacheRemoteAdapter implements CacheAdapter {
  private final RedisClient client;
  private final Cache<String, Value> cache;

  JetCacheRemoteAdapter(BenchRedis redis) {
    client = RedisClient.create(redis.url());
    cache = JetCaches.remote(client, "jetcache-remote:");
  }

  @Override
  public void populate(Map<String, Value> entries) {
    Checks.require(cache.PUT_ALL(entries).isSuccess(), "(all)", "Redis");
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
  }

  @Override
  public @Nullable Value get(String key) {
    return cache.get(key);
  }

  @Override
  public void close() {
    cache.close();
    client.shutdown();
  }
}
