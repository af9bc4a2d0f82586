package io.tierstate.bench;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Objects;
import org.springframework.data.redis.cache.RedisCache;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.Jackson2JsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext;

/**
 * Spring Data Redis's cache ({@code RedisCacheManager} over a {@code LettuceConnectionFactory}), as
 * a Spring Boot application would build it, without a Spring context: values written as the same
 * {@value Value#JSON_BYTES} bytes of JSON by a {@code Jackson2JsonRedisSerializer<Value>}.
 *
 * <p>Thread-safe; close it once.
 */
final class SpringCaches implements AutoCloseable {
  /** How the cache writer coordinates concurrent writers. */
  enum Writer {
    /** {@code RedisCacheWriter.nonLockingRedisCacheWriter}: Spring's default. */
    NON_LOCKING,
    /**
     * {@code RedisCacheWriter.lockingRedisCacheWriter}: a lock key in Redis per cache name, taken
     * around each load and write.
     */
    LOCKING
  }

  private final LettuceConnectionFactory factory;
  private final RedisCache cache;

  SpringCaches(BenchRedis redis, String cacheName, Writer writer) {
    RedisURI uri = RedisURI.create(redis.url());
    RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(uri.getHost(), uri.getPort());
    server.setDatabase(uri.getDatabase());
    URLCredentials.apply(redis.url(), server::setUsername, password -> server.setPassword(RedisPassword.of(password)));
    factory = new LettuceConnectionFactory(server);
    factory.afterPropertiesSet();
    factory.start();
    RedisCacheWriter cacheWriter =
        writer == Writer.LOCKING
            ? RedisCacheWriter.lockingRedisCacheWriter(factory)
            : RedisCacheWriter.nonLockingRedisCacheWriter(factory);
    RedisCacheConfiguration defaults =
        RedisCacheConfiguration.defaultCacheConfig()
            .entryTtl(Duration.ofHours(1))
            .serializeValuesWith(
                RedisSerializationContext.SerializationPair.fromSerializer(
                    new Jackson2JsonRedisSerializer<>(Value.class)));
    RedisCacheManager manager = RedisCacheManager.builder(cacheWriter).cacheDefaults(defaults).build();
    manager.initializeCaches();
    cache = (RedisCache) Objects.requireNonNull(manager.getCache(cacheName), cacheName);
  }

  /** The cache: {@code get(key, Value.class)}, {@code put}, {@code get(key, loader)}. */
  RedisCache cache() {
    return cache;
  }

  @Override
  public void close() {
    factory.destroy();
  }
}
