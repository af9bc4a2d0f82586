package io.tierstate.jcache.orm;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Category {
  @Id
  private Long id;
  private String title;
  @OneToMany(mappedBy = "category")
  @Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
  private Set<Product> products = new HashSet<>();

  protected Category() {}

  public Category(Long id, String title) {
    this.id = id;
    this.title = title;
  }

  public String title() {
    return title;
  }

  public void title(String title) {
    this.title = title;
  }

  public Set<Product> products() {
    return products;
  }
}
