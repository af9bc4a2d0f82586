package io.tierstate.examples.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The products in PostgreSQL; every query is counted in {@code catalog.db.queries}. */
@Repository
class ProductRepository {
  private final JdbcClient jdbc;
  private final Counter queries;

  ProductRepository(JdbcClient jdbc, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.queries = Counter.builder("catalog.db.queries").description("queries sent to PostgreSQL").register(registry);
  }

  Optional<Product> find(long id) {
    queries.increment();
    return jdbc.sql("SELECT * FROM product WHERE id = ?").param(id).query(ProductRepository::row).optional();
  }

  List<Product> inCategory(String category) {
    queries.increment();
    return jdbc.sql("SELECT * FROM product WHERE category = ? ORDER BY id").param(category)
        .query(ProductRepository::row).list();
  }

  Optional<Product> update(long id, ProductChange change) {
    queries.increment();
    return jdbc.sql("""
            UPDATE product SET name = ?, price_cents = ?, version = version + 1, updated_at = clock_timestamp()
            WHERE id = ? RETURNING *""")
        .params(change.name(), change.priceCents(), id)
        .query(ProductRepository::row).optional();
  }

  private static Product row(ResultSet rs, int rowNum) throws SQLException {
    return new Product(rs.getLong("id"), rs.getString("name"), rs.getString("category"), rs.getLong("price_cents"),
        rs.getLong("version"), rs.getTimestamp("updated_at").toInstant());
  }
}
