package io.tierstate.jcache.orm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.jcache.DataTreeCodec;
import io.tierstate.jcache.TierstateCachingProvider;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.internal.SimpleCacheKeysFactory;
import org.hibernate.cache.jcache.internal.JCacheRegionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hibernate ORM 7's second-level cache through hibernate-jcache and this provider, on PostgreSQL,
 * with two session factories standing for two nodes, each its own Tierstate node on one Redis.
 */
class HibernateSecondLevelCacheIntegrationTests {
  private static PostgresServer postgres;
  private static RedisServer redis;
  private static final List<AutoCloseable> open = new ArrayList<>();
  private static CacheManager cachesA;
  private static SessionFactory nodeA;
  private static SessionFactory nodeB;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.start();
    redis = RedisServer.start();
    cachesA = cacheManager("a");
    nodeA = sessionFactory(cachesA, true);
    nodeB = sessionFactory(cacheManager("b"), false);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable closeable : open.reversed()) {
      closeable.close();
    }
    redis.close();
    postgres.close();
  }

  /** A JCache manager that is a Tierstate node of its own: same scope ("orm"), another fragment. */
  private static CacheManager cacheManager(String node) {
    Properties properties = new Properties();
    properties.setProperty("REDIS_URL", redis.uri());
    properties.setProperty("TIERSTATE_NODE_ID", "orm-" + node);
    properties.setProperty("TIERSTATE_JCACHE_CODEC", DataTreeCodec.class.getName());
    // Reads go to Redis, which every commit has updated before it returns: a read on the other node
    // right after the commit cannot meet an L1 copy that its invalidation has not reached yet.
    properties.setProperty("TIERSTATE_L1_MAX_SIZE", "0");
    CacheManager manager = Caching.getCachingProvider(TierstateCachingProvider.class.getName())
        .getCacheManager(URI.create("tierstate:orm#" + node), HibernateSecondLevelCacheIntegrationTests.class.getClassLoader(),
            properties);
    open.add(manager);
    return manager;
  }

  private static SessionFactory sessionFactory(CacheManager caches, boolean createSchema) {
    Configuration configuration = new Configuration()
        .addAnnotatedClass(Category.class)
        .addAnnotatedClass(Product.class)
        .setProperty("hibernate.connection.url", postgres.jdbcUrl("postgres"))
        .setProperty("hibernate.connection.username", postgres.user())
        .setProperty("hibernate.connection.password", postgres.password())
        .setProperty("hibernate.connection.pool_size", "4")
        .setProperty("hibernate.hbm2ddl.auto", createSchema ? "create" : "none")
        .setProperty("hibernate.cache.use_second_level_cache", "true")
        .setProperty("hibernate.javax.cache.missing_cache_strategy", "create")
        .setProperty("hibernate.cache.use_structured_entries", "true")
        .setProperty("hibernate.cache.auto_evict_collection_cache", "true")
        .setProperty("hibernate.generate_statistics", "true");
    configuration.getProperties().put("hibernate.javax.cache.cache_manager", caches);
    // Keys are the ids themselves (each entity and collection has a region of its own), so the
    // codec sees Longs rather than Hibernate's key objects.
    configuration.getProperties().put("hibernate.cache.region.factory_class",
        new JCacheRegionFactory(SimpleCacheKeysFactory.INSTANCE));
    SessionFactory factory = configuration.buildSessionFactory();
    open.add(factory);
    return factory;
  }

  private static void write(SessionFactory node, Consumer<Session> work) {
    node.inTransaction(work);
  }

  private static <T> T read(SessionFactory node, Function<Session, T> work) {
    return node.fromTransaction(work);
  }

  private record Seen(BigDecimal price, long stock, int products) {}

  private static Seen look(SessionFactory node) {
    return read(node, s -> {
      Product hammer = s.find(Product.class, 10L);
      Category tools = s.find(Category.class, 1L);
      return new Seen(hammer.price(), hammer.stock(), tools.products().size());
    });
  }

  @Test
  void anUpdateCommittedThroughOneNodeIsNeverReadStaleThroughTheOther() {
    write(nodeA, s -> {
      Category tools = new Category(1L, "Tools");
      s.persist(tools);
      s.persist(new Product(10L, "Hammer", new BigDecimal("9.90"), 5, tools));
    });
    assertThat(look(nodeA)).isEqualTo(new Seen(new BigDecimal("9.90"), 5, 1));
    assertThat(look(nodeB)).isEqualTo(new Seen(new BigDecimal("9.90"), 5, 1));
    long hitsBefore = nodeB.getStatistics().getSecondLevelCacheHitCount();
    assertThat(look(nodeB)).isEqualTo(new Seen(new BigDecimal("9.90"), 5, 1));
    // Product, category and the category's collection all came from the cache that node A filled.
    assertThat(nodeB.getStatistics().getSecondLevelCacheHitCount() - hitsBefore).isGreaterThanOrEqualTo(3);

    int products = 1;
    for (int round = 1; round <= 30; round++) {
      SessionFactory writer = round % 2 == 0 ? nodeA : nodeB;
      SessionFactory reader = writer == nodeA ? nodeB : nodeA;
      BigDecimal price = new BigDecimal("10." + (10 + round));
      long stock = round;
      boolean addProduct = round % 5 == 0;
      long newId = 100L + round;
      write(writer, s -> {
        Product hammer = s.find(Product.class, 10L);
        hammer.price(price);
        hammer.stock(stock);
        if (addProduct) {
          s.persist(new Product(newId, "Nail " + newId, BigDecimal.ONE, 100, s.find(Category.class, 1L)));
        }
      });
      if (addProduct) {
        products++;
      }
      Seen expected = new Seen(price, stock, products);
      assertThat(look(reader)).as("round %d, read on the other node right after the commit", round).isEqualTo(expected);
      assertThat(look(reader)).as("round %d, read again (from the cache)", round).isEqualTo(expected);
      assertThat(look(writer)).as("round %d, read on the writer", round).isEqualTo(expected);
    }

    // The second read of every round was served from the second-level cache.
    assertThat(nodeA.getStatistics().getSecondLevelCacheHitCount()).isGreaterThan(30);
    assertThat(nodeB.getStatistics().getSecondLevelCacheHitCount()).isGreaterThan(30);
    assertThat(cachesA.getCache(Category.class.getName() + ".products").iterator().hasNext())
        .as("the collection cache region holds entries in Tierstate").isTrue();
  }
}
