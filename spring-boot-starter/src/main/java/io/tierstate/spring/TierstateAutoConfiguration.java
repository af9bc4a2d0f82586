package io.tierstate.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.cache.Invalidator;
import io.tierstate.cache.TieredCache;
import io.tierstate.lock.LockService;
import io.tierstate.pubsub.PubSub;
import io.tierstate.ratelimit.RateLimiter;
import io.tierstate.session.SessionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import java.util.function.Consumer;

/**
 * One {@link Tierstate} from the {@code tierstate.*} properties, its meters in the application's
 * {@link MeterRegistry} when there is one; its cache, invalidator, locks, rate limiter, sessions and
 * pub/sub as beans; and, unless the application declares its own, a {@link TierstateCacheManager}
 * with a {@link TierstateCacheResolver} so that {@code @Cacheable} decodes the types methods return.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    },
    beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@EnableConfigurationProperties(TierstateProperties.class)
public class TierstateAutoConfiguration {

  /**
   * The instance, closed with the context.
   *
   * @throws InvalidTierstatePropertyException if a property is invalid, naming it
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Tierstate tierstate(TierstateProperties properties, ObjectProvider<MeterRegistry> registry) {
    return Tierstate.create(ConfigFromProperties.config(properties, registry.getIfUnique()));
  }

  /** The two-tier cache. */
  @Bean
  @ConditionalOnMissingBean
  public TieredCache tieredCache(Tierstate tierstate) {
    return tierstate.cache();
  }

  /**
   * Invalidation by key, tag and pattern across nodes. Core's cache object is its invalidator too,
   * so the bean is a view that is only an {@link Invalidator}, primary over the cache bean.
   */
  @Bean
  @Primary
  @ConditionalOnMissingBean(name = "tierstateInvalidator")
  public Invalidator tierstateInvalidator(Tierstate tierstate) {
    Invalidator invalidator = tierstate.invalidator();
    return new Invalidator() {
      @Override
      public void invalidateKeys(String... keys) {
        invalidator.invalidateKeys(keys);
      }

      @Override
      public long invalidateTags(String... tags) {
        return invalidator.invalidateTags(tags);
      }

      @Override
      public long invalidate(java.util.Collection<String> keys, java.util.Collection<String> tags) {
        return invalidator.invalidate(keys, tags);
      }

      @Override
      public void invalidateDurably(
          java.util.Collection<String> keys, java.util.Collection<String> tags) {
        invalidator.invalidateDurably(keys, tags);
      }

      @Override
      public long invalidatePattern(String pattern) {
        return invalidator.invalidatePattern(pattern);
      }

      @Override
      public AutoCloseable onInvalidation(Consumer<InvalidationEvent> listener) {
        return invalidator.onInvalidation(listener);
      }
    };
  }

  /** Distributed locks with fencing tokens. */
  @Bean
  @ConditionalOnMissingBean
  public LockService tierstateLocks(Tierstate tierstate) {
    return tierstate.locks();
  }

  /** Rate limiters. */
  @Bean
  @ConditionalOnMissingBean
  public RateLimiter tierstateRateLimiter(Tierstate tierstate) {
    return tierstate.rateLimiter();
  }

  /** Multi-device sessions. */
  @Bean
  @ConditionalOnMissingBean
  public SessionManager tierstateSessions(Tierstate tierstate) {
    return tierstate.sessions();
  }

  /** Pub/sub with JSON payloads. */
  @Bean
  @ConditionalOnMissingBean
  public PubSub tierstatePubSub(Tierstate tierstate) {
    return tierstate.pubsub();
  }

  /**
   * The Spring cache manager, unless the application declares one or sets {@code
   * tierstate.cache-manager-enabled=false}.
   *
   * @throws InvalidTierstatePropertyException if a {@code tierstate.caches.*} property is invalid
   */
  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  @ConditionalOnProperty(prefix = "tierstate", name = "cache-manager-enabled", matchIfMissing = true)
  public TierstateCacheManager cacheManager(Tierstate tierstate, TierstateProperties properties) {
    return new TierstateCacheManager(tierstate.cache(), tierstate.config(), properties.getCaches());
  }

  /**
   * Gives {@code @Cacheable} methods caches typed by their return types. Declaring your own {@link
   * CachingConfigurer} replaces it: return a {@link TierstateCacheResolver} from its {@code
   * cacheResolver()}.
   */
  @Bean
  @ConditionalOnMissingBean(CachingConfigurer.class)
  public CachingConfigurer tierstateCachingConfigurer(ObjectProvider<CacheManager> cacheManager) {
    return new CachingConfigurer() {
      @Override
      public CacheResolver cacheResolver() {
        return new TierstateCacheResolver(cacheManager.getObject());
      }
    };
  }
}
