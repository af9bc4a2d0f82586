package io.tierstate.jcache.orm;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import java.math.BigDecimal;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.NONSTRICT_READ_WRITE)
public class Product {
  @Id
  private Long id;
  private String name;
  private BigDecimal price;
  private long stock;
  @ManyToOne(fetch = FetchType.LAZY)
  private Category category;

  protected Product() {}

  public Product(Long id, String name, BigDecimal price, long stock, Category category) {
    this.id = id;
    this.name = name;
    this.price = price;
    this.stock = stock;
    this.category = category;
  }

  public Long id() {
    return id;
  }

  public String name() {
    return name;
  }

  public BigDecimal price() {
    return price;
  }

  public void price(BigDecimal price) {
    this.price = price;
  }

  public long stock() {
    return stock;
  }

  public void stock(long stock) {
    this.stock = stock;
  }

  public Category category() {
    return category;
  }
}
