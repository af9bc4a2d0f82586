package io.tierstate.bench;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Spring Data Redis's {@code RedisCache} alone (Spring's default non-locking writer): every {@code
 * get(key, Value.class)} is a Redis {@code GET} and a Jackson decode. The L2 peer a Spring user
 * would pick.
 */
final class SpringDataRedisAdapter implements CacheAdapter {
  private final SpringCaches spring;

  SpringDataRedisAdapter(BenchRedis redis) {
    spring = new SpringCaches(redis, "spring", SpringCaches.Writer.NON_LOCKING);
  }

  @Override
  public void populate(Map<String, Value> entries) {
    // RedisCache has no bulk put; one round trip per entry is fine before a measurement.
    entries.forEach(spring.cache()::put);
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
  }

  @Override
  public @Nullable Value get(String key) {
    return spring.cache().get(key, Value.class);
  }

  @Override
  public void close() {
    spring.close();
  }
}
