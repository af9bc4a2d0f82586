package io.tierstate.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.server.ServerConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL connection pool (HikariCP) with a small JDBC helper: each {@link Jdbc} call on
 * this object runs on its own pooled connection in auto-commit mode; {@link #inTransaction} runs
 * several in one transaction.
 *
 * <pre>{@code
 * UUID id = db.inTransaction(tx -> {
 *   tx.update("INSERT INTO tenants (id, slug, name) VALUES (?, ?, ?)", id, "acme", "Acme");
 *   tx.update("INSERT INTO users ...", ...);
 *   return id;
 * });
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Database implements Jdbc, AutoCloseable {
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  private final HikariDataSource dataSource;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Opens a pool to the configured database and migrates its schema (Flyway, {@code
   * db/migration}).
   *
   * @throws IllegalArgumentException if the configuration has no URL (an embedded server must be
   *     started first)
   * @throws org.flywaydb.core.api.FlywayException if the database cannot be reached or migrated
   */
  public static Database connect(ServerConfig.Database config, MeterRegistry registry) {
    String url = config.jdbcUrl();
    if (url == null) {
      throw new IllegalArgumentException("the database configuration has no URL");
    }
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tierstate-db");
    hikari.setJdbcUrl(url);
    if (config.user() != null) {
      hikari.setUsername(config.user());
    }
    if (config.password() != null) {
      hikari.setPassword(config.password());
    }
    hikari.setMaximumPoolSize(config.maxPoolSize());
    hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
    // Fail fast when PostgreSQL is gone: a request should get 503 in seconds, not hang.
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    hikari.setValidationTimeout(Duration.ofSeconds(1).toMillis());
    hikari.setInitializationFailTimeout(-1);
    hikari.setMetricRegistry(registry);
    HikariDataSource dataSource = new HikariDataSource(hikari);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      return new Database(dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  /** The pooled data source, for code that needs plain JDBC. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Whether a connection can be taken and answers within {@code timeout}.
   */
  public boolean isReachable(Duration timeout) {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid((int) Math.max(1, timeout.toSeconds()));
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, @Nullable Object... params) {
    try (Connection connection = dataSource.getConnection()) {
      return query(connection, sql, mapper, params);
    } catch (SQLException e) {
      throw new DatabaseException("query failed", e);
    }
  }

  @Override
  public int update(String sql, @Nullable Object... params) {
    try (Connection connection = dataSource.getConnection()) {
      return update(connection, sql, params);
    } catch (SQLException e) {
      throw new DatabaseException("update failed", e);
    }
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
   * (the exception is rethrown as is, or wrapped in {@link DatabaseException} for SQL failures).
   */
  public <T> T inTransaction(TransactionWork<T> work) {
    // No setAutoCommit(true) at the end: the pool restores it when the connection goes back. Doing
    // it here failed on a connection the statement had found broken ("Connection is closed", no
    // SQLSTATE) and replaced the statement's own failure (57P01, a 503) with a 500.
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      T result;
      try {
        result = work.run(new ConnectionJdbc(connection));
      } catch (RuntimeException | Error e) {
        rollBack(connection, e);
        throw e;
      }
      connection.commit();
      return result;
    } catch (SQLException e) {
      throw new DatabaseException("transaction failed", e);
    }
  }

  /** Rolls back after {@code failure}; a rollback that fails too is kept beside it, not in its place. */
  private static void rollBack(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * One page of a filtered list and the number of rows that match it, read in one read-only
   * REPEATABLE READ snapshot so that the two agree.
   *
   * @param select the query up to its WHERE clause ({@code SELECT columns FROM table t})
   * @param count the count query up to its WHERE clause ({@code SELECT count(*) FROM table t})
   * @param where the WHERE clause, empty for none, its values in {@code params}
   * @param orderBy the ORDER BY clause (with a unique last key, so pages never overlap)
   */
  public <T> Slice<T> slice(String select, String count, String where, String orderBy, List<@Nullable Object> params,
      int limit, long offset, RowMapper<T> mapper) {
    return inTransaction(tx -> {
      tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      long total = tx.queryOne(count + where, row -> row.getLong(1), params.toArray()).orElse(0L);
      if (total == 0) {
        return new Slice<>(List.of(), 0);
      }
      List<@Nullable Object> pageParams = new ArrayList<>(params);
      pageParams.add(limit);
      pageParams.add(offset);
      return new Slice<>(tx.query(select + where + orderBy + " LIMIT ? OFFSET ?", mapper, pageParams.toArray()), total);
    });
  }

  /**
   * The rows of one page and the number of rows of all pages.
   *
   * @param <T> the row type
   */
  public record Slice<T>(List<T> items, long total) {
    /** Copies the items. */
    public Slice {
      items = List.copyOf(items);
    }

    /** The number of pages of {@code size} rows. */
    public long pages(int size) {
      return (total + size - 1) / size;
    }
  }

  /** Closes the pool; idempotent. */
  @Override
  public void close() {
    dataSource.close();
  }

  /**
   * Work done in a transaction.
   *
   * @param <T> what it returns
   */
  @FunctionalInterface
  public interface TransactionWork<T> {
    /** Runs the statements of the transaction on {@code tx}. */
    T run(Jdbc tx);
  }

  private static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, @Nullable Object... params)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      try (ResultSet rows = statement.executeQuery()) {
        List<T> result = new ArrayList<>();
        while (rows.next()) {
          result.add(mapper.map(rows));
        }
        return result;
      }
    }
  }

  private static int update(Connection connection, String sql, @Nullable Object... params) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      return statement.executeUpdate();
    }
  }

  private static void bind(PreparedStatement statement, @Nullable Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object value = params[i];
      statement.setObject(i + 1, value instanceof Instant instant
          ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : value);
    }
  }

  /** The statements of one transaction, on its connection. */
  private record ConnectionJdbc(Connection connection) implements Jdbc {
    @Override
    public <T> List<T> query(String sql, RowMapper<T> mapper, @Nullable Object... params) {
      try {
        return Database.query(connection, sql, mapper, params);
      } catch (SQLException e) {
        throw new DatabaseException("query failed", e);
      }
    }

    @Override
    public int update(String sql, @Nullable Object... params) {
      try {
        return Database.update(connection, sql, params);
      } catch (SQLException e) {
        throw new DatabaseException("update failed", e);
      }
    }
  }
}
