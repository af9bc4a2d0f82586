package io.tierstate.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.HotKey;
import io.tierstate.cache.Invalidator;
import io.tierstate.cache.TieredCache;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockService;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimiter;
import io.tierstate.session.CreatedSession;
import io.tierstate.session.NewSession;
import io.tierstate.session.SessionManager;
import io.tierstate.spring.CatalogFixture.Catalog;
import io.tierstate.spring.CatalogFixture.Database;
import io.tierstate.spring.CatalogFixture.Product;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

/** Two application contexts on one real Redis, standing for two nodes of a Spring Boot service. */
class TierstateSpringIntegrationTests {
  private static RedisServer redis;

  private SpringNodes nodes;
  private Database db;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void freshDatabase() {
    nodes = new SpringNodes(redis);
    db = new Database();
    for (long id = 1; id <= 5; id++) {
      db.rows.put(id, new Product(id, "product " + id, List.of("all", id % 2 == 0 ? "even" : "odd")));
    }
    CatalogFixture.database = db;
  }

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  @Test
  void cacheableServesTheDeclaredTypeFromEitherNodeAfterOneLoad() {
    Catalog a = nodes.start().getBean(Catalog.class);
    Catalog b = nodes.start().getBean(Catalog.class);

    Product first = a.product(1);
    assertThat(a.product(1)).isEqualTo(first);
    Product fromB = b.product(1);
    assertThat(fromB).isInstanceOf(Product.class).isEqualTo(new Product(1, "product 1", List.of("all", "odd")));
    List<Product> even = b.byLabel("even");
    assertThat(a.byLabel("even")).isEqualTo(even).hasSize(2).allSatisfy(p -> assertThat(p).isInstanceOf(Product.class));
    assertThat(db.reads.get()).as("one read of product 1 and one of the even list, across both nodes").isEqualTo(2);
  }

  @Test
  void syncCacheableRunsTheLoaderOnceAcrossNodes() throws Exception {
    Catalog a = nodes.start().getBean(Catalog.class);
    Catalog b = nodes.start().getBean(Catalog.class);
    db.slowLoadMillis = 300;

    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Product>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Catalog node = i % 2 == 0 ? a : b;
        results.add(pool.submit(() -> {
          go.await();
          return node.productOnce(3);
        }));
      }
      go.countDown();
      for (Future<Product> result : results) {
        assertThat(result.get()).isEqualTo(db.rows.get(3L));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(db.reads.get()).as("16 concurrent callers on two nodes, one load").isEqualTo(1);
  }

  @Test
  void syncCacheableUnwrapsOptionalAndRemembersAbsenceWhenConfigured() {
    Catalog a = nodes.start("tierstate.caches.lookups.cache-absent=1m").getBean(Catalog.class);
    Catalog b = nodes.start("tierstate.caches.lookups.cache-absent=1m").getBean(Catalog.class);

    assertThat(a.lookup(2)).contains(db.rows.get(2L));
    assertThat(b.lookup(2)).contains(db.rows.get(2L));
    assertThat(a.lookup(99)).isEmpty();
    assertThat(b.lookup(99)).isEmpty();
    assertThat(db.reads.get()).as("one load for 2, one for the absent 99").isEqualTo(2);
  }

  @Test
  void anEvictionOnOneNodeIsSeenByTheOther() {
    Catalog a = nodes.start().getBean(Catalog.class);
    Catalog b = nodes.start().getBean(Catalog.class);
    assertThat(a.product(4).name()).isEqualTo("product 4");
    assertThat(b.product(4).name()).isEqualTo("product 4");

    a.rename(4, "renamed");

    Await.until(Duration.ofSeconds(5), () -> b.product(4).name().equals("renamed"));
    assertThat(b.product(4).name()).isEqualTo("renamed");
    assertThat(a.product(4).name()).isEqualTo("renamed");
  }

  @Test
  void cachePutOnOneNodeIsReadByTheOtherWithoutALoad() {
    Catalog a = nodes.start().getBean(Catalog.class);
    Catalog b = nodes.start().getBean(Catalog.class);
    assertThat(b.product(5).name()).isEqualTo("product 5");
    int reads = db.reads.get();

    a.save(new Product(5, "put", List.of()));

    Await.until(Duration.ofSeconds(5), () -> b.product(5).name().equals("put"));
    assertThat(db.reads.get()).as("the put value is served from the cache").isEqualTo(reads);
  }

  @Test
  void evictAllEntriesClearsTheCacheOnEveryNodeWithTagsNeverKeys() {
    Catalog a = nodes.start().getBean(Catalog.class);
    Catalog b = nodes.start().getBean(Catalog.class);
    for (long id = 1; id <= 5; id++) {
      a.product(id);
      b.product(id);
    }
    List<String> otherCache = b.byLabel("odd").stream().map(Product::name).toList();
    String keysBefore = commandCount("keys");

    a.renameAll("new ");

    for (long id = 1; id <= 5; id++) {
      long key = id;
      Await.until(Duration.ofSeconds(5), () -> b.product(key).name().equals("new " + key));
    }
    assertThat(b.byLabel("odd").stream().map(Product::name).toList())
        .as("another cache keeps its entries").isEqualTo(otherCache);
    assertThat(commandCount("keys")).as("KEYS calls").isEqualTo(keysBefore);
  }

  @Test
  void perCacheSettingsComeFromProperties() {
    ConfigurableApplicationContext context = nodes.start(
        "tierstate.default-ttl=7m",
        "tierstate.caches.products.ttl=90s",
        "tierstate.caches.products.tags=catalog,shop",
        "tierstate.caches.products.refresh-ahead=0.25",
        "tierstate.caches.products.stale-while-revalidate=30s",
        "tierstate.caches.products.stale-if-error=5m",
        "tierstate.caches.products.cache-absent=20s",
        "tierstate.caches.products.region=catalog-eu");
    TierstateCacheManager manager = context.getBean(TierstateCacheManager.class);

    var products = manager.getCache("products").options();
    assertThat(products.ttlOrNull()).isEqualTo(Duration.ofSeconds(90));
    assertThat(products.tagSet()).containsExactlyInAnyOrder("spring-cache:products", "catalog", "shop");
    assertThat(products.refreshAheadFraction()).isEqualTo(0.25);
    assertThat(products.staleWhileRevalidateWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(products.staleIfErrorWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(products.absentTtlOrNull()).isEqualTo(Duration.ofSeconds(20));
    assertThat(products.regionOrNull()).isEqualTo("catalog-eu");
    assertThat(manager.getCache("other").options().ttlOrNull()).isEqualTo(Duration.ofMinutes(7));
    assertThat(manager.getCacheNames()).contains("products", "other");

    // A configured tag invalidates the cache's entries through the Invalidator bean.
    Catalog catalog = context.getBean(Catalog.class);
    catalog.product(1);
    db.rows.put(1L, new Product(1, "changed", List.of()));
    assertThat(catalog.product(1).name()).isEqualTo("product 1");
    context.getBean(Invalidator.class).invalidateTags("catalog");
    assertThat(catalog.product(1).name()).isEqualTo("changed");

    // So does clearing the cache's region.
    db.rows.put(1L, new Product(1, "changed again", List.of()));
    assertThat(catalog.product(1).name()).isEqualTo("changed");
    assertThat(context.getBean(Invalidator.class).invalidateRegion("catalog-eu")).isEqualTo(1);
    assertThat(catalog.product(1).name()).isEqualTo("changed again");
  }

  @Test
  void hotKeySamplingComesFromItsProperty() {
    TieredCache everyRead = nodes.start("tierstate.hot-key-sampling=1").getBean(TieredCache.class);
    TieredCache off = nodes.start("tierstate.hot-key-sampling=0").getBean(TieredCache.class);
    everyRead.set("hot:1", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    for (int i = 0; i < 50; i++) {
      assertThat(everyRead.get("hot:1", String.class)).contains("v");
      assertThat(off.get("hot:1", String.class)).contains("v");
    }
    assertThat(everyRead.hotKeys()).extracting(HotKey::key).contains("hot:1");
    assertThat(off.hotKeys()).as("sampling off").isEmpty();
  }

  @Test
  void staleIfErrorServesTheLastValueWhenTheLoaderFails() throws Exception {
    Catalog a = nodes.start("tierstate.caches.products.ttl=200ms", "tierstate.caches.products.stale-if-error=1m")
        .getBean(Catalog.class);
    assertThat(a.productOnce(2).name()).isEqualTo("product 2");
    db.failing = true;
    Thread.sleep(300); // past the ttl: only the stale-if-error window keeps the value
    assertThat(a.productOnce(2).name()).isEqualTo("product 2");
    assertThat(db.reads.get()).as("the failed reload was tried").isGreaterThanOrEqualTo(2);
  }

  @Test
  void aLoaderFailureReachesTheCallerAsItsOwnException() {
    Catalog a = nodes.start().getBean(Catalog.class);
    db.failing = true;
    assertThatThrownBy(() -> a.productOnce(1)).isInstanceOf(IllegalStateException.class).hasMessage("database down");
    assertThatThrownBy(() -> a.product(1)).isInstanceOf(IllegalStateException.class).hasMessage("database down");
  }

  @Test
  void badValuesFailAtStartUpNamingTheProperty() {
    assertStartFails("tierstate.l1.maximum-size must be >= 0, but was -1", "tierstate.l1.maximum-size=-1");
    assertStartFails("tierstate.l1.degraded-ttl was 10m but must not be greater than tierstate.l1.maximum-age (5m)",
        "tierstate.l1.degraded-ttl=10m");
    assertStartFails("tierstate.namespace must be 1 to 64 characters from A-Z a-z 0-9 _ . -, but was 'a b'",
        "tierstate.namespace=a b");
    assertStartFails("tierstate.redis.url", "tierstate.redis.url=http://nope");
    assertStartFails("tierstate.caches.products.refresh-ahead: refreshAhead must be between 0 and 1",
        "tierstate.caches.products.refresh-ahead=2");
    assertStartFails("tierstate.caches.products.region", "tierstate.caches.products.region=e u");
    assertStartFails("tierstate.hot-key-sampling", "tierstate.hot-key-sampling=-1");
    assertStartFails("tierstate.redis.tls.cert-file and tierstate.redis.tls.key-file go together",
        "tierstate.redis.tls.cert-file=/tmp/cert.pem");
  }

  private void assertStartFails(String message, String property) {
    assertThatThrownBy(() -> nodes.start(property)).satisfies(failure -> {
      Throwable cause = failure;
      while (cause != null && !(cause instanceof InvalidTierstatePropertyException)) {
        cause = cause.getCause();
      }
      assertThat(cause).as("an InvalidTierstatePropertyException in %s", failure).isNotNull();
      assertThat(cause).hasMessageContaining(message);
      assertThat(((InvalidTierstatePropertyException) cause).property()).isEqualTo(property.substring(0, property.indexOf('=')));
    });
  }

  @Test
  void healthMapsTierstateStatusesAndNamesTheChecks() {
    try (RedisServer own = RedisServer.start()) {
      SpringNodes mine = new SpringNodes(own);
      try (mine) {
        ConfigurableApplicationContext up = mine.start();
        ConfigurableApplicationContext strict = mine.start("tierstate.health.degraded-status=OUT_OF_SERVICE");
        TierstateHealthIndicator indicator = up.getBean("tierstateHealthIndicator", TierstateHealthIndicator.class);
        Health healthy = indicator.health();
        assertThat(healthy.getStatus()).isEqualTo(Status.UP);
        assertThat(healthy.getDetails()).containsEntry("status", "HEALTHY").containsKeys("redis.ping", "invalidations");
        assertThat(((Map<?, ?>) healthy.getDetails().get("redis.ping")).get("status")).isEqualTo("HEALTHY");

        own.stop();
        Await.until(Duration.ofSeconds(10), () -> !"HEALTHY".equals(indicator.health().getDetails().get("status")));
        Health down = indicator.health();
        String status = (String) down.getDetails().get("status");
        assertThat(down.getStatus()).isEqualTo("UNHEALTHY".equals(status) ? Status.DOWN : Status.UP);
        assertThat(((Map<?, ?>) down.getDetails().get("redis.ping")).get("status")).isNotEqualTo("HEALTHY");
        Health strictHealth = strict.getBean(TierstateHealthIndicator.class).health();
        if ("DEGRADED".equals(strictHealth.getDetails().get("status"))) {
          assertThat(strictHealth.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        }
      }
    }
  }

  @Test
  void metersGoToTheApplicationsRegistry() {
    ConfigurableApplicationContext context = nodes.start();
    context.getBean(Catalog.class).product(1);
    context.getBean(Catalog.class).product(1);
    MeterRegistry registry = context.getBean(MeterRegistry.class);
    assertThat(registry.find("tierstate.cache.requests").tag("tier", "l1").tag("result", "hit").counter())
        .isNotNull()
        .satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
  }

  @Test
  void theCachesEndpointListsAndClearsTheCachesOnEveryNode() {
    ConfigurableApplicationContext a = nodes.start();
    Catalog b = nodes.start().getBean(Catalog.class);
    a.getBean(Catalog.class).product(2);
    b.product(2);
    db.rows.put(2L, new Product(2, "changed", List.of()));
    CachesEndpoint endpoint = new CachesEndpoint(Map.of("cacheManager", a.getBean(CacheManager.class)));

    assertThat(endpoint.caches().getCacheManagers().get("cacheManager").getCaches()).containsKey("products");
    assertThat(endpoint.clearCache("products", null)).isTrue();

    Await.until(Duration.ofSeconds(5), () -> b.product(2).name().equals("changed"));
  }

  @Test
  void locksRateLimiterAndSessionsAreBeansSharedAcrossNodes() {
    ConfigurableApplicationContext a = nodes.start();
    ConfigurableApplicationContext b = nodes.start();
    assertThat(a.getBean(io.tierstate.cache.TieredCache.class)).isSameAs(a.getBean(io.tierstate.Tierstate.class).cache());
    assertThat(a.getBean(Invalidator.class)).isNotNull();

    try (LockHandle lock = a.getBean(LockService.class).acquire("report", Duration.ofSeconds(10), Duration.ZERO)) {
      assertThat(lock.fencingToken()).isPositive();
      assertThat(b.getBean(LockService.class).tryAcquire("report", Duration.ofSeconds(10))).isEmpty();
    }
    RateLimitPolicy policy = RateLimitPolicy.fixedWindow(2, Duration.ofMinutes(1));
    assertThat(a.getBean(RateLimiter.class).limit("api:u1", policy).allowed()).isTrue();
    assertThat(b.getBean(RateLimiter.class).limit("api:u1", policy).allowed()).isTrue();
    assertThat(a.getBean(RateLimiter.class).limit("api:u1", policy).allowed()).isFalse();

    CreatedSession session = a.getBean(SessionManager.class).create(NewSession.builder("acme", "u7").build());
    assertThat(b.getBean(SessionManager.class).get(session.id())).map(s -> s.userId()).isEqualTo(Optional.of("u7"));
  }

  private static String commandCount(String command) {
    String stats = String.valueOf(redis.command("INFO", "commandstats"));
    return stats.lines().filter(l -> l.startsWith("cmdstat_" + command + ":")).findFirst().orElse("none");
  }
}
