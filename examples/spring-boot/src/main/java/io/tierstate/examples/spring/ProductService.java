package io.tierstate.examples.spring;

import java.util.List;
import java.util.Optional;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The catalog's reads, cached, and its writes, which evict. Reads use {@code sync = true}: with
 * Tierstate one loader per key runs across every instance, and its fill is fenced, so a load that
 * raced an update can never put the old row back.
 */
@Service
class ProductService {
  private final ProductRepository repository;

  ProductService(ProductRepository repository) {
    this.repository = repository;
  }

  @Cacheable(cacheNames = "products", sync = true)
  public Optional<Product> product(long id) {
    return repository.find(id);
  }

  @Cacheable(cacheNames = "categories", sync = true)
  public List<Product> category(String category) {
    return repository.inCategory(category);
  }

  /** Updates a product; evicted after the commit, from every instance's caches. */
  @Caching(evict = {
      @CacheEvict(cacheNames = "products", key = "#id"),
      @CacheEvict(cacheNames = "categories", allEntries = true)
  })
  @Transactional
  public Optional<Product> update(long id, ProductChange change) {
    return repository.update(id, change);
  }
}
