package io.tierstate.bench;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.MultiLevelCacheBuilder;
import com.alicp.jetcache.embedded.CaffeineCacheBuilder;
import io.lettuce.core.RedisClient;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * JetCache's two-level cache (its Caffeine local cache over its Lettuce remote cache), with every
 * key in the local cache: the L1 peer a JetCache user would pick. No cross-node invalidation is
 * configured (that needs a JetCache {@code CacheManager} and broadcast channel), so a local hit
 * checks less than Tierstate's.
 */
final class JetCacheLocalAdapter implements CacheAdapter {
  private final RedisClient client;
  private final Cache<String, Value> local;
  private final Cache<String, Value> remote;
  private final Cache<String, Value> cache;
  private Set<String> populated = Set.of();

  JetCacheLocalAdapter(BenchRedis redis, int maximumSize) {
    client = RedisClient.create(redis.url());
    local =
        CaffeineCacheBuilder.createCaffeineCacheBuilder()
            .limit(maximumSize)
            .keyConvertor(key -> key)
            .expireAfterWrite(JetCaches.EXPIRE_HOURS, TimeUnit.HOURS)
            .buildCache();
    remote = JetCaches.remote(client, "jetcache-local:");
    cache =
        MultiLevelCacheBuilder.createMultiLevelCacheBuilder()
            .addCache(local, remote)
            .expireAfterWrite(JetCaches.EXPIRE_HOURS, TimeUnit.HOURS)
            .buildCache();
  }

  @Override
  public void populate(Map<String, Value> entries) {
    Checks.require(cache.PUT_ALL(entries).isSuccess(), "(all)", "JetCache");
    entries.forEach(
        (key, value) -> Checks.require(value.equals(local.get(key)), key, "the local cache"));
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "JetCache"));
    populated = Set.copyOf(entries.keySet());
  }

  /** Keys that left the local cache after populating. */
  @Override
  public @Nullable String anomalies() {
    long gone = populated.stream().filter(key -> local.get(key) == null).count();
    return gone == 0 ? null : gone + " of " + populated.size() + " keys left the local cache";
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
