package io.tierstate.bench.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.writebehind.WriteBehindEntry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source of truth of the suite, in a real PostgreSQL: {@code items} (each row has a version
 * that every write moves) and {@code events} (what the write-behind delivered: the newest value per
 * key, with the load generator's version and the write-behind's). Nodes reach it through pools of their own ({@link #pool}); the checker reads it on a
 * connection of its own, outside any pool, so an exhausted pool does not blind it.
 *
 * <p>Thread-safe.
 */
final class SourceOfTruth implements AutoCloseable {
  /** Rows in {@code items}; each is a cache key {@code item:ID}. */
  static final int ITEMS = 200;
  /** Rows per group; a group is a cache tag {@code grp:N}, invalidated as one. */
  static final int GROUP_SIZE = 10;
  /** Connections per node pool; the pool-exhaustion fault holds them all. */
  static final int POOL_SIZE = 4;
  /** How long a node waits for a pooled connection before the call fails (503). */
  static final Duration POOL_TIMEOUT = Duration.ofSeconds(1);

  private static final String SLOW_QUERIES =
      "SELECT %s FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(%'"
          + " AND pid <> pg_backend_pid()";

  private final PostgresServer server;
  private final String url;
  private final AtomicLong olderDeliveries = new AtomicLong();
  private final AtomicLong olderWritten = new AtomicLong();

  private SourceOfTruth(PostgresServer server, String url) {
    this.server = server;
    this.url = url;
  }

  /** Starts PostgreSQL and creates the schema. */
  static SourceOfTruth start() {
    PostgresServer server = PostgresServer.start();
    try {
      SourceOfTruth db = new SourceOfTruth(server, server.createDatabase("faults"));
      db.execute(
          "CREATE TABLE items (id int PRIMARY KEY, grp int NOT NULL, version bigint NOT NULL)",
          "CREATE TABLE events (key text PRIMARY KEY, version bigint NOT NULL, wb_version bigint NOT NULL)");
      return db;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  PostgresServer server() {
    return server;
  }

  /**
   * Write-behind entries since the last {@link #reset()} handed to the writer with a value older
   * than the one PostgreSQL already had for the key (the writer's version guard refused them).
   */
  long olderDeliveries() {
    return olderDeliveries.get();
  }

  /**
   * Write-behind entries since the last {@link #reset()} that the writer's guard let overwrite a
   * newer value: the write-behind's version disagreed with the order of the writes (goal: none).
   */
  long olderWritten() {
    return olderWritten.get();
  }

  /** Every item back at version 1, no events: the start of each fault's run. */
  void reset() {
    olderDeliveries.set(0);
    olderWritten.set(0);
    execute(
        "TRUNCATE items, events",
        "INSERT INTO items SELECT i, i / " + GROUP_SIZE + ", 1 FROM generate_series(0, " + (ITEMS - 1) + ") i");
  }

  /** A pool for one node, failing fast (within {@link #POOL_TIMEOUT}) when PostgreSQL is gone. */
  Rows pool(String name) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(POOL_SIZE);
    config.setConnectionTimeout(POOL_TIMEOUT.toMillis());
    config.setValidationTimeout(500);
    config.setInitializationFailTimeout(-1);
    return new Rows(new HikariDataSource(config));
  }

  /** Each item's version now. */
  Map<Integer, Long> items() {
    Map<Integer, Long> versions = new HashMap<>();
    query("SELECT id, version FROM items", rs -> versions.put(rs.getInt(1), rs.getLong(2)));
    return versions;
  }

  /** Each event key's delivered version now. */
  Map<String, Long> events() {
    Map<String, Long> versions = new HashMap<>();
    query("SELECT key, version FROM events", rs -> versions.put(rs.getString(1), rs.getLong(2)));
    return versions;
  }

  /** How many {@link Rows#slowQuery} statements run now. */
  int activeSlowQueries() {
    int[] count = {0};
    query(SLOW_QUERIES.replace("%s", "count(*)"), rs -> count[0] = rs.getInt(1));
    return count[0];
  }

  /** Cancels every running {@link Rows#slowQuery} statement. */
  void cancelSlowQueries() {
    query(SLOW_QUERIES.replace("%s", "pg_cancel_backend(pid)"), rs -> {});
  }

  @Override
  public void close() {
    server.close();
  }

  private Connection connect() throws SQLException {
    Properties credentials = new Properties();
    credentials.setProperty("user", server.user());
    credentials.setProperty("password", server.password());
    return DriverManager.getConnection(url, credentials);
  }

  private void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the source of truth: " + e.getMessage(), e);
    }
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void query(String sql, RowReader reader) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        reader.read(rs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the checker cannot read PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** One node's access to the source of truth, through its own pool. Thread-safe. */
  final class Rows implements AutoCloseable {
    private final HikariDataSource pool;

    Rows(HikariDataSource pool) {
      this.pool = pool;
    }

    /** The item as PostgreSQL has it now (the cache's loader). */
    Item load(int id) throws SQLException {
      try (Connection c = pool.getConnection();
          PreparedStatement select = c.prepareStatement("SELECT version FROM items WHERE id = ?")) {
        select.setInt(1, id);
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("no item " + id);
          }
          return new Item(id, rs.getLong(1));
        }
      }
    }

    /** Moves the item's version; returns the new one, committed. */
    long bump(int id) throws SQLException {
      try (Connection c = pool.getConnection();
          PreparedStatement update =
              c.prepareStatement("UPDATE items SET version = version + 1 WHERE id = ? RETURNING version")) {
        update.setInt(1, id);
        try (ResultSet rs = update.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }

    /** Moves the version of every item of a group in one transaction; returns the new versions. */
    List<Item> bumpGroup(int group) throws SQLException {
      try (Connection c = pool.getConnection();
          PreparedStatement update =
              c.prepareStatement("UPDATE items SET version = version + 1 WHERE grp = ? RETURNING id, version")) {
        update.setInt(1, group);
        List<Item> bumped = new ArrayList<>();
        try (ResultSet rs = update.executeQuery()) {
          while (rs.next()) {
            bumped.add(new Item(rs.getInt(1), rs.getLong(2)));
          }
        }
        return bumped;
      }
    }

    /**
     * The write-behind's batch writer, as the write-behind guide recommends: an upsert guarded by
     * the write-behind's version ({@code WHERE events.wb_version < excluded.wb_version}), so that
     * an older entry never overwrites a newer one. It also compares the load generator's version
     * (the order the writes were made in): an entry older than the stored value is counted ({@link
     * SourceOfTruth#olderDeliveries()}), and one the guard let through anyway too ({@link
     * SourceOfTruth#olderWritten()}).
     */
    void upsertEvents(List<WriteBehindEntry<Event>> entries) throws SQLException {
      try (Connection c = pool.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement current =
                c.prepareStatement("SELECT version, wb_version FROM events WHERE key = ? FOR UPDATE");
            PreparedStatement upsert =
                c.prepareStatement(
                    "INSERT INTO events (key, version, wb_version) VALUES (?, ?, ?) ON CONFLICT (key)"
                        + " DO UPDATE SET version = excluded.version, wb_version = excluded.wb_version"
                        + " WHERE events.wb_version < excluded.wb_version")) {
          int older = 0;
          int olderApplied = 0;
          for (WriteBehindEntry<Event> entry : entries) {
            current.setString(1, entry.key());
            try (ResultSet rs = current.executeQuery()) {
              if (rs.next() && rs.getLong(1) > entry.value().version()) {
                older++;
                if (rs.getLong(2) < entry.version()) {
                  olderApplied++;
                }
              }
            }
            upsert.setString(1, entry.key());
            upsert.setLong(2, entry.value().version());
            upsert.setLong(3, entry.version());
            upsert.executeUpdate();
          }
          c.commit();
          olderDeliveries.addAndGet(older);
          olderWritten.addAndGet(olderApplied);
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    }

    /** Holds one pooled connection for {@code duration} (a slow query). */
    void slowQuery(Duration duration) throws SQLException {
      try (Connection c = pool.getConnection();
          Statement statement = c.createStatement()) {
        statement.execute("SELECT pg_sleep(" + duration.toMillis() / 1000.0 + ")");
      }
    }

    @Override
    public void close() {
      pool.close();
    }
  }
}
