package io.tierstate.writebehind;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Measurement;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.PostgresServer;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-behind through a PostgreSQL outage, on a real PostgreSQL reached through a HikariCP pool
 * that gives up on a connection after a second, as the fault suite's nodes do.
 */
class WriteBehindOutageIntegrationTests {
  private static final CacheOptions TTL = CacheOptions.ttl(Duration.ofMinutes(5));
  private static final Duration POOL_TIMEOUT = Duration.ofSeconds(1);
  private static PostgresServer postgres;
  private static String url;

  private Nodes nodes;
  private final List<HikariDataSource> pools = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresServer.start();
    url = postgres.createDatabase("outage");
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void start() throws SQLException {
    if (!postgres.isRunning()) {
      postgres.restart();
    }
    nodes = Nodes.onSharedRedis();
    execute(
        "CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, body text NOT NULL,"
            + " version bigint NOT NULL)",
        "TRUNCATE orders");
  }

  @AfterEach
  void stop() {
    nodes.close();
    pools.forEach(HikariDataSource::close);
  }

  /** Upserts each entry unless the stored version is newer; counts the entries it committed. */
  private final class Orders {
    private final HikariDataSource pool = pool();
    final Map<String, AtomicInteger> committed = new ConcurrentHashMap<>();

    BatchWriter<String> writer() {
      return BatchWriter.versioned(this::upsert);
    }

    private void upsert(List<WriteBehindEntry<String>> entries) throws SQLException {
      try (Connection c = pool.getConnection();
          PreparedStatement upsert =
              c.prepareStatement(
                  "INSERT INTO orders (id, body, version) VALUES (?, ?, ?) ON CONFLICT (id) DO"
                      + " UPDATE SET body = excluded.body, version = excluded.version"
                      + " WHERE orders.version < excluded.version")) {
        // One statement per entry, not executeBatch: on a connection the server closed, pgjdbc
        // 42.7's batch path fails an assert (tests run with -ea) instead of throwing PSQLException.
        c.setAutoCommit(false);
        for (WriteBehindEntry<String> entry : entries) {
          upsert.setString(1, entry.key());
          upsert.setString(2, entry.value());
          upsert.setLong(3, entry.version());
          upsert.executeUpdate();
        }
        c.commit();
      }
      entries.forEach(
          e -> committed.computeIfAbsent(e.key(), k -> new AtomicInteger()).incrementAndGet());
    }
  }

  private HikariDataSource pool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(postgres.user());
    config.setPassword(postgres.password());
    config.setMaximumPoolSize(2);
    config.setConnectionTimeout(POOL_TIMEOUT.toMillis());
    config.setValidationTimeout(500);
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    pools.add(pool);
    return pool;
  }

  private void execute(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, postgres.user(), postgres.password());
        Statement statement = c.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private Map<String, String> table() {
    Map<String, String> rows = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url, postgres.user(), postgres.password());
        Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id, body FROM orders")) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      return Map.of(); // not up yet
    }
    return rows;
  }

  private String redis(String... command) {
    return String.valueOf(nodes.redis().command(command));
  }

  private String stream() {
    return nodes.namespace() + ":wb:{orders}";
  }

  private static HealthCheck writerHealth(Tierstate node) {
    return node.metrics().healthCheck().check("writebehind.writer").orElseThrow();
  }

  private static double meter(Tierstate node, String name) {
    return node.metrics().registry().find(name).tag("name", "orders").meters().stream()
        .flatMap(m -> StreamSupport.stream(m.measure().spliterator(), false))
        .mapToDouble(Measurement::getValue)
        .sum();
  }

  /**
   * The fault suite's PostgreSQL restart: with the defaults (3 retries, 100 ms doubling) and a pool
   * that waits 1 s per attempt, a batch gave up after about 4.7 s and dead-lettered acknowledged
   * writes. An outage in which the batch waits 6 s (7 s or so in all) must now be ridden out.
   */
  @Test
  void writesQueuedWhilePostgresIsDownLongerThanTheRetryBudgetAllReachTheTable() throws Exception {
    Tierstate a = nodes.start("a");
    Orders orders = new Orders();
    WriteBehind<String> writeBehind =
        a.writeBehind(
            "orders",
            String.class,
            orders.writer(),
            WriteBehindOptions.defaults().withFlushInterval(Duration.ofMillis(100)));
    writeBehind.write("order:before", "written", TTL);
    writeBehind.flush();
    assertThat(table()).containsEntry("order:before", "written");
    assertThat(writerHealth(a).status()).isEqualTo(HealthStatus.HEALTHY);

    postgres.stop();
    long down = System.nanoTime();
    Map<String, String> expected = new HashMap<>(Map.of("order:before", "written"));
    for (int i = 0; i < 20; i++) {
      writeBehind.write("order:" + i, "value-" + i, TTL); // acknowledged: queued in Redis
      expected.put("order:" + i, "value-" + i);
    }

    Await.until(
        "health says the writer's target is unreachable, with the entries waiting",
        () -> {
          HealthCheck check = writerHealth(a);
          return check.status() == HealthStatus.DEGRADED
              && check.message().contains("write-behind 'orders': writer target unreachable for")
              && check.message().contains("20 entries waiting");
        });
    assertThat(a.metrics().healthCheck().status()).isEqualTo(HealthStatus.DEGRADED);
    Await.until(
        "the batch has waited 6 s for PostgreSQL, well past the old retry budget (4.7 s)",
        () -> meter(a, MeterNames.WRITE_BEHIND_UNREACHABLE) >= 6.0,
        Duration.ofSeconds(15));
    assertThat(Duration.ofNanos(System.nanoTime() - down))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    assertThat(redis("XLEN", stream() + ":dead")).as("nothing dead-lettered").isEqualTo("0");
    assertThat(a.metrics().snapshot().writeBehind().unreachableSeconds())
        .as("the snapshot's unreachable time")
        .isGreaterThanOrEqualTo(6.0);

    postgres.restart();

    Await.until(
        "every acknowledged write is in the table",
        () -> table().equals(expected),
        Duration.ofSeconds(30));
    Await.until("the stream is empty", () -> redis("XLEN", stream()).equals("0"));
    assertThat(redis("XLEN", stream() + ":dead")).isEqualTo("0");
    assertThat(meter(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isZero();
    assertThat(meter(a, MeterNames.WRITE_BEHIND_RETRIES))
        .as("more retries than maxRetries, none counted against it")
        .isGreaterThan(3);
    Await.until("health is back", () -> writerHealth(a).status() == HealthStatus.HEALTHY);
    assertThat(meter(a, MeterNames.WRITE_BEHIND_UNREACHABLE)).isZero();
    assertThat(a.metrics().snapshot().writeBehind().unreachableSeconds()).isZero();
  }

  /**
   * While a node retries a batch through an outage, its entries stay pending on it for longer than
   * claimIdle; it takes them back before every retry, so another node does not claim and write the
   * same batch at the same time.
   */
  @Test
  void aNodeRidingOutAnOutageKeepsItsEntriesFromOtherNodes() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Orders onA = new Orders();
    Orders onB = new Orders();
    WriteBehindOptions options =
        WriteBehindOptions.defaults()
            // long enough for a to read the whole burst below into one batch before it writes
            .withFlushInterval(Duration.ofMillis(500))
            .withBackoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(300))
            .withClaimIdle(Duration.ofSeconds(2));
    WriteBehind<String> fromA = a.writeBehind("orders", String.class, onA.writer(), options);

    postgres.stop();
    long down = System.nanoTime();
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      fromA.write("order:" + i, "value-" + i, TTL);
      expected.put("order:" + i, "value-" + i);
    }
    Await.until(
        "a's batch waits for PostgreSQL", () -> meter(a, MeterNames.WRITE_BEHIND_UNREACHABLE) > 0);
    // Every entry is pending on a: b gets none to read as new, so it has no batch of its own to
    // retry and is free to claim; it would take a's entries once idle for claimIdle, had a not
    // kept them.
    assertThat(redis("XPENDING", stream(), "writers").lines().findFirst()).contains("20");
    b.writeBehind("orders", String.class, onB.writer(), options);
    Await.until(
        "a's batch has waited 3 times claimIdle",
        () -> meter(a, MeterNames.WRITE_BEHIND_UNREACHABLE) >= 6.0,
        Duration.ofSeconds(15));
    assertThat(Duration.ofNanos(System.nanoTime() - down))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(6));

    postgres.restart();

    Await.until(
        "every write is in the table", () -> table().equals(expected), Duration.ofSeconds(30));
    Await.until("the stream is empty", () -> redis("XLEN", stream()).equals("0"));
    assertThat(
            meter(a, MeterNames.WRITE_BEHIND_CLAIMED) + meter(b, MeterNames.WRITE_BEHIND_CLAIMED))
        .as("no node claimed entries another node was still retrying")
        .isZero();
    Map<String, Integer> commits = new HashMap<>();
    onA.committed.forEach((key, n) -> commits.merge(key, n.get(), Integer::sum));
    onB.committed.forEach((key, n) -> commits.merge(key, n.get(), Integer::sum));
    assertThat(commits).hasSize(20).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
    assertThat(redis("XLEN", stream() + ":dead")).isEqualTo("0");
  }
}
