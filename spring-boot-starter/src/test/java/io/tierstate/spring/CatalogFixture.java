package io.tierstate.spring;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/** A Spring Boot application with cached methods over a "database" shared by every context (node). */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableCaching
class CatalogFixture {

  record Product(long id, String name, List<String> labels) {}

  /** The source of truth, shared by both nodes, and how often each node read it. */
  static final class Database {
    final ConcurrentHashMap<Long, Product> rows = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    volatile long slowLoadMillis;
    volatile boolean failing;

    Product read(long id) {
      reads.incrementAndGet();
      if (failing) {
        throw new IllegalStateException("database down");
      }
      if (slowLoadMillis > 0) {
        try {
          Thread.sleep(slowLoadMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return rows.get(id);
    }
  }

  /** Set before a context starts: the database its service reads. */
  static volatile Database database = new Database();

  @Bean
  Database database() {
    return database;
  }

  @Bean
  Catalog catalog(Database db) {
    return new Catalog(db);
  }

  static class Catalog {
    final Database db;

    Catalog(Database db) {
      this.db = db;
    }

    @Cacheable("products")
    public Product product(long id) {
      return db.read(id);
    }

    @Cacheable(cacheNames = "products", sync = true)
    public Product productOnce(long id) {
      return db.read(id);
    }

    @Cacheable(cacheNames = "lookups", sync = true)
    public java.util.Optional<Product> lookup(long id) {
      return java.util.Optional.ofNullable(db.read(id));
    }

    @Cacheable("names")
    public List<Product> byLabel(String label) {
      db.reads.incrementAndGet();
      return db.rows.values().stream().filter(p -> p.labels().contains(label)).sorted(
          java.util.Comparator.comparingLong(Product::id)).toList();
    }

    @CachePut(cacheNames = "products", key = "#p.id()")
    public Product save(Product p) {
      db.rows.put(p.id(), p);
      return p;
    }

    @CacheEvict(cacheNames = "products", key = "#id")
    public void rename(long id, String name) {
      Product old = db.rows.get(id);
      db.rows.put(id, new Product(id, name, old.labels()));
    }

    @CacheEvict(cacheNames = "products", allEntries = true)
    public void renameAll(String prefix) {
      db.rows.replaceAll((id, p) -> new Product(id, prefix + id, p.labels()));
    }
  }
}
