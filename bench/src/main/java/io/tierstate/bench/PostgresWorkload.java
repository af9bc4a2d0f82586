package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A read-mostly workload over a real PostgreSQL table: {@value #ROWS} rows, read through a cache
 * by key with Zipf skew (s = {@value KeyDistribution#ZIPF_EXPONENT}), 1 request in {@value
 * #WRITE_EVERY} an update of the row followed by an invalidation (cache-aside). Every cache miss
 * runs the loader, one {@code SELECT} by primary key. Reports, per subject, the hit rate of each
 * tier and the database queries per 1,000 requests:
 *
 * <ul>
 *   <li>Caffeine alone on one node ({@code get(key, loader)}), L1 of {@value #L1_SIZE} entries;
 *   <li>Tierstate on one node, {@code getOrLoad}, the same L1 size over an unbounded Redis L2;
 *   <li>Tierstate on two nodes sharing that Redis, the requests split between them.
 * </ul>
 */
final class PostgresWorkload {
  static final int ROWS = 10_000;
  static final int L1_SIZE = 1_000;
  static final int WRITE_EVERY = 100;
  private static final int THREADS = 2;
  private static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofHours(1));
  private static final String SELECT =
      "SELECT id, name, email, plan, seats, active, roles, note FROM users WHERE id = ?";

  private PostgresWorkload() {}

  /** Runs the scenario alone and prints its section. */
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, RunMode.FULL).markdown());
    }
  }

  /** One node as the workload sees it: a cached read through the loader, and an invalidation. */
  private interface Node {
    @Nullable Value read(String key, long id, Database db);

    void invalidate(String key);
  }

  /** What one subject measured. */
  private record Result(String subject, long requests, double l1Hits, double l2Hits, long dbReads, long dbWrites,
      double seconds) {}

  /** The table and its counters: one connection per thread, reads and writes counted. */
  private static final class Database implements AutoCloseable {
    private final String url;
    private final List<Connection> connections = new ArrayList<>();
    private final ThreadLocal<PreparedStatement[]> statements = ThreadLocal.withInitial(this::open);
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();

    Database(String url) {
      this.url = url;
    }

    private PreparedStatement[] open() {
      try {
        Connection connection = DriverManager.getConnection(url, "postgres", "");
        synchronized (connections) {
          connections.add(connection);
        }
        return new PreparedStatement[] {
          connection.prepareStatement(SELECT),
          connection.prepareStatement("UPDATE users SET seats = seats + 1 WHERE id = ?")
        };
      } catch (SQLException e) {
        throw new IllegalStateException("cannot connect to " + url + ": " + e.getMessage(), e);
      }
    }

    /** The loader: one SELECT by primary key. */
    Value load(long id) {
      reads.incrementAndGet();
      try {
        PreparedStatement select = statements.get()[0];
        select.setLong(1, id);
        try (ResultSet row = select.executeQuery()) {
          Checks.check(row.next(), "user " + id + " is not in the table");
          return new Value(row.getLong(1), row.getString(2), row.getString(3), row.getString(4), row.getInt(5),
              row.getBoolean(6), List.of(row.getString(7).split(",", -1)), row.getString(8));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("SELECT of user " + id + " failed: " + e.getMessage(), e);
      }
    }

    void update(long id) {
      writes.incrementAndGet();
      try {
        PreparedStatement update = statements.get()[1];
        update.setLong(1, id);
        Checks.check(update.executeUpdate() == 1, "UPDATE of user " + id + " changed no row");
      } catch (SQLException e) {
        throw new IllegalStateException("UPDATE of user " + id + " failed: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      synchronized (connections) {
        for (Connection connection : connections) {
          try {
            connection.close();
          } catch (SQLException e) {
            // The server stops next; nothing to do.
          }
        }
      }
    }
  }

  /**
   * Measures every subject and reports; in any mode, fails if a read returns another row than the
   * one asked for, or a subject queries the database as often as it is asked.
   */
  static Section run(BenchRedis redis, RunMode mode) throws Exception {
    int requests = mode.pick(4_000, 200_000);
    List<Result> results = new ArrayList<>();
    try (PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.createDatabase("bench");
      createTable(url);
      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      try {
        Cache<String, Value> caffeine = Caffeine.newBuilder().maximumSize(L1_SIZE).recordStats().build();
        Node caffeineNode = new Node() {
          @Override
          public @Nullable Value read(String key, long id, Database db) {
            return caffeine.get(key, k -> db.load(id));
          }

          @Override
          public void invalidate(String key) {
            caffeine.invalidate(key);
          }
        };
        try (Database db = new Database(url)) {
          long start = System.nanoTime();
          run(threads, List.of(caffeineNode), db, requests);
          double seconds = (System.nanoTime() - start) / 1e9;
          results.add(new Result("Caffeine alone, 1 node", requests,
              caffeine.stats().hitCount(), 0, db.reads.get(), db.writes.get(), seconds));
        }
        results.add(tierstate(redis, url, threads, requests, 1));
        results.add(tierstate(redis, url, threads, requests, 2));
      } finally {
        threads.shutdownNow();
      }
    }
    for (Result result : results) {
      Checks.check(result.dbReads() < result.requests(), result.subject() + " queried the database "
          + result.dbReads() + " times for " + result.requests() + " requests");
    }
    return report(results, requests);
  }

  private static Result tierstate(BenchRedis redis, String url, ExecutorService threads, int requests, int nodes)
      throws Exception {
    List<Tierstate> instances = new ArrayList<>();
    try (Database db = new Database(url)) {
      for (int n = 0; n < nodes; n++) {
        // A namespace per subject: the 2-node run must not find the 1-node run's entries in Redis.
        Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("pg-" + nodes).nodeId("pg-" + nodes + "-" + n)
            .l1MaximumSize(L1_SIZE).build());
        instances.add(node);
        Invalidations.awaitFlowing(node);
      }
      List<Node> views = new ArrayList<>();
      for (Tierstate node : instances) {
        views.add(new Node() {
          @Override
          public @Nullable Value read(String key, long id, Database database) {
            return node.cache().getOrLoad(key, Value.class, () -> database.load(id), OPTIONS);
          }

          @Override
          public void invalidate(String key) {
            node.cache().delete(key);
          }
        });
      }
      long start = System.nanoTime();
      run(threads, views, db, requests);
      double seconds = (System.nanoTime() - start) / 1e9;
      double l1 = 0;
      double l2 = 0;
      for (Tierstate node : instances) {
        l1 += count(node, "l1");
        l2 += count(node, "l2");
      }
      return new Result("Tierstate, " + nodes + (nodes == 1 ? " node" : " nodes"), requests, l1, l2,
          db.reads.get(), db.writes.get(), seconds);
    } finally {
      instances.forEach(Tierstate::close);
    }
  }

  private static double count(Tierstate node, String tier) {
    return node.metrics().registry().get(MeterNames.CACHE_REQUESTS).tags("tier", tier, "result", "hit")
        .counter().count();
  }

  /** {@value #THREADS} threads, spread over the nodes, share the requests; each draws its own keys. */
  private static void run(ExecutorService threads, List<Node> nodes, Database db, int requests) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Node node = nodes.get(t % nodes.size());
      int[] ids = KeyDistribution.ZIPF.draw(ROWS, requests / THREADS, 1000L + t);
      done.add(threads.submit(() -> {
        for (int i = 0; i < ids.length; i++) {
          long id = ids[i];
          String key = "user:" + id;
          if (i % WRITE_EVERY == WRITE_EVERY - 1) {
            db.update(id);
            node.invalidate(key);
            continue;
          }
          Value value = node.read(key, id, db);
          Checks.check(value != null && value.id() == id, "read of " + key + " returned " + value);
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get();
    }
  }

  private static void createTable(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        Statement ddl = connection.createStatement()) {
      ddl.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
          + " plan text NOT NULL, seats int NOT NULL, active boolean NOT NULL, roles text NOT NULL,"
          + " note text NOT NULL)");
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int id = 0; id < ROWS; id++) {
          Value v = Value.of(id);
          insert.setLong(1, v.id());
          insert.setString(2, v.name());
          insert.setString(3, v.email());
          insert.setString(4, v.plan());
          insert.setInt(5, v.seats());
          insert.setBoolean(6, v.active());
          insert.setString(7, String.join(",", v.roles()));
          insert.setString(8, v.note());
          insert.addBatch();
        }
        int[] counts = insert.executeBatch();
        Checks.check(Arrays.stream(counts).allMatch(c -> c == 1 || c == Statement.SUCCESS_NO_INFO),
            "the users table was not filled");
      }
      connection.commit();
    }
  }

  private static Section report(List<Result> results, int requests) {
    Section section = new Section("Read-mostly Zipf workload over PostgreSQL");
    section.paragraph(String.format(Locale.ROOT,
        "A real PostgreSQL (testkit `PostgresServer`) holds %,d rows; %d threads make %,d requests"
            + " over them with Zipf keys (s = %.2f), 1 in %d an `UPDATE` of the row followed by an"
            + " invalidation of its key (Tierstate `delete`, Caffeine `invalidate`), the rest cached"
            + " reads whose loader is one `SELECT` by primary key. Every L1 holds %,d entries (10%% of"
            + " the rows); Tierstate's L2 in Redis is unbounded. Each subject starts cold; the 2-node"
            + " run splits the threads over two nodes sharing one Redis. Hit rates are per read.",
        ROWS, THREADS, requests, KeyDistribution.ZIPF_EXPONENT, WRITE_EVERY, L1_SIZE));
    Table table = new Table("subject", "L1 hit rate", "L2 hit rate", "DB queries per 1,000 requests",
        "DB updates", "requests/s");
    for (Result r : results) {
      long reads = r.requests() - r.dbWrites();
      table.row(r.subject(), percent(r.l1Hits() / reads),
          r.subject().startsWith("Caffeine") ? "-" : percent(r.l2Hits() / reads),
          Section.number(1000.0 * r.dbReads() / r.requests(), 1), Section.number((double) r.dbWrites(), 0),
          Section.number(r.requests() / r.seconds(), 0));
    }
    section.table(table);
    Result caffeine = results.get(0);
    Result one = results.get(1);
    section.paragraph("Database queries, Caffeine alone over Tierstate on one node: "
        + Section.ratio((double) caffeine.dbReads() / Math.max(1, one.dbReads())) + " (same run).");
    return section;
  }

  private static String percent(double rate) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * rate);
  }
}
