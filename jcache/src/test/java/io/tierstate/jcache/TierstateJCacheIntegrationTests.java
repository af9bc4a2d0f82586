package io.tierstate.jcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.testkit.Poll;
import io.tierstate.testkit.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider as two nodes use it: one Redis, two managers of one scope, each its own Tierstate node. */
class TierstateJCacheIntegrationTests {
  record Price(String sku, long cents) {}

  private static RedisServer redis;
  private final List<CacheManager> managers = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void closeManagers() {
    managers.forEach(CacheManager::close);
  }

  private static CachingProvider provider() {
    return Caching.getCachingProvider(TierstateCachingProvider.class.getName());
  }

  private CacheManager node(String uri, String... settings) {
    Properties properties = new Properties();
    properties.setProperty("REDIS_URL", redis.uri());
    for (int i = 0; i + 1 < settings.length; i += 2) {
      properties.setProperty(settings[i], settings[i + 1]);
    }
    CacheManager manager = provider().getCacheManager(URI.create(uri), getClass().getClassLoader(), properties);
    managers.add(manager);
    return manager;
  }

  private static Cache<String, Price> prices(CacheManager manager) {
    return manager.createCache("prices", new MutableConfiguration<String, Price>().setTypes(String.class, Price.class));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    if (!Poll.until(Duration.ofSeconds(5), condition)) {
      throw new AssertionError("timed out waiting until " + what);
    }
  }

  @Test
  void twoNodesOfOneScopeShareTheCacheAndSeeEachOthersWrites() throws InterruptedException {
    Cache<String, Price> a = prices(node("tierstate:shop#a"));
    Cache<String, Price> b = prices(node("tierstate:shop#b"));

    a.put("sku-1", new Price("sku-1", 990));
    assertThat(b.get("sku-1")).isEqualTo(new Price("sku-1", 990));

    a.put("sku-1", new Price("sku-1", 1090));
    await("b reads a's update", () -> new Price("sku-1", 1090).equals(b.get("sku-1")));

    b.put("sku-2", new Price("sku-2", 50));
    List<String> keysOnA = new ArrayList<>();
    a.forEach(entry -> keysOnA.add(entry.getKey()));
    assertThat(keysOnA).containsExactlyInAnyOrder("sku-1", "sku-2");

    assertThat(b.replace("sku-2", new Price("sku-2", 50), new Price("sku-2", 60))).isTrue();
    await("a reads b's replace", () -> new Price("sku-2", 60).equals(a.get("sku-2")));

    a.remove("sku-1");
    await("b no longer has the removed entry", () -> !b.containsKey("sku-1"));

    b.clear();
    await("a sees the cache cleared", () -> !a.iterator().hasNext());
  }

  @Test
  void anotherScopeIsAnotherCache() {
    Cache<String, Price> shop = prices(node("tierstate:shop#a"));
    Cache<String, Price> other = prices(node("tierstate:other"));
    shop.put("sku-1", new Price("sku-1", 1));
    assertThat(other.get("sku-1")).isNull();
    assertThat(other.iterator().hasNext()).isFalse();
  }

  @Test
  void destroyingACacheDeletesItsEntriesForEveryNode() {
    CacheManager first = node("tierstate:shop#a");
    prices(first).put("sku-1", new Price("sku-1", 1));
    first.destroyCache("prices");
    assertThat(prices(node("tierstate:shop#b")).get("sku-1")).isNull();
  }

  @Test
  void untypedCachesKeepTheRuntimeTypesOfJdkValues() {
    Cache<Object, Object> cache = node("tierstate:untyped").createCache("mixed", new MutableConfiguration<>());
    cache.put(1L, 2L);
    cache.put(1, "int key");
    assertThat(cache.get(1L)).isEqualTo(2L).isInstanceOf(Long.class);
    assertThat(cache.get(1)).isEqualTo("int key");
  }

  @Test
  void anUntypedCacheRefusesToDecodeATypeNobodyAllowed() {
    CacheManager manager = node("tierstate:untyped");
    // A cache typed Price in the same manager reads Prices; that allows nothing for the others.
    Cache<String, Price> typed = prices(manager);
    typed.put("p", new Price("sku-1", 1));
    assertThat(typed.get("p")).isEqualTo(new Price("sku-1", 1));
    Cache<Object, Object> cache = manager.createCache("records", new MutableConfiguration<>());
    cache.put("p", new Price("sku-1", 1));
    assertThatThrownBy(() -> cache.get("p")).isInstanceOf(CacheException.class)
        .hasMessageContaining(Price.class.getName()).hasMessageContaining("TIERSTATE_JCACHE_ALLOWED_TYPES");

    Cache<Object, Object> allowed = node("tierstate:allowed", "TIERSTATE_JCACHE_ALLOWED_TYPES", "io.tierstate.jcache.*")
        .createCache("records", new MutableConfiguration<>());
    allowed.put("p", new Price("sku-1", 1));
    assertThat(allowed.get("p")).isEqualTo(new Price("sku-1", 1));
  }

  @Test
  void aManagerWhoseUriIsARedisUrlConnectsThere() {
    Cache<String, Price> cache = prices(node(redis.uri() + "#node-a"));
    cache.put("sku-1", new Price("sku-1", 1));
    assertThat(cache.get("sku-1")).isEqualTo(new Price("sku-1", 1));
  }

  @Test
  void badSettingsFailWithTheirName() {
    assertThatThrownBy(() -> node("tierstate:bad", "REDIS_URL", "http://nowhere"))
        .isInstanceOf(CacheException.class).hasMessageContaining("REDIS_URL");
    assertThatThrownBy(() -> node("tierstate:bad", "TIERSTATE_L1_MAX_SIZE", "lots"))
        .isInstanceOf(CacheException.class).hasMessageContaining("TIERSTATE_L1_MAX_SIZE");
    assertThatThrownBy(() -> node("tierstate:bad", "TIERSTATE_JCACHE_CODEC", "com.example.Missing"))
        .isInstanceOf(CacheException.class).hasMessageContaining("TIERSTATE_JCACHE_CODEC").hasMessageContaining("com.example.Missing");
    assertThatThrownBy(() -> node("tierstate:bad", "TIERSTATE_JCACHE_CODEC", String.class.getName()))
        .isInstanceOf(CacheException.class).hasMessageContaining("implements io.tierstate.codec.Codec");
    assertThatThrownBy(() -> node("tierstate:bad", "TIERSTATE_JCACHE_ALLOWED_TYPES", "not a class"))
        .isInstanceOf(CacheException.class).hasMessageContaining("TIERSTATE_JCACHE_ALLOWED_TYPES");
    assertThatThrownBy(() -> node("tierstate:a*b"))
        .isInstanceOf(CacheException.class).hasMessageContaining("tierstate:<scope>");
  }
}
