package io.tierstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes made over plain JDBC (as {@code psql} would) invalidate every node, through the change
 * stream of a real PostgreSQL and real Redis, with two nodes competing for the stream.
 */
class ChangeStreamIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(10));
  private static PostgresServer pg;
  private static RedisServer redis;
  private static int databases;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private String url;
  private String namespace;

  @BeforeAll
  static void servers() {
    pg = PostgresServer.start();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopServers() {
    redis.close();
    pg.close();
  }

  @BeforeEach
  void schema() throws SQLException {
    url = pg.createDatabase("cdc" + (++databases));
    namespace = "cdc" + databases;
    sql(
        "CREATE TABLE users (id int PRIMARY KEY, tenant int NOT NULL, name text NOT NULL,"
            + " status text NOT NULL DEFAULT 'active')",
        // The old row in full, so that a row moving to another tenant invalidates the old one's tag.
        "ALTER TABLE users REPLICA IDENTITY FULL",
        "CREATE TABLE notes (id int PRIMARY KEY, body text)",
        "INSERT INTO users SELECT g, g % 3, 'user' || g FROM generate_series(1, 20) g");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  @Test
  void plainJdbcWritesInvalidateKeysAndTagsOnEveryNodeAndTellTheListeners() throws Exception {
    Tierstate a = node("a");
    Tierstate b = node("b");
    List<InvalidationEvent> seenByB = new CopyOnWriteArrayList<>();
    closing.add(b.invalidator().onInvalidation(seenByB::add));
    ChangeStream sa = stream(a);
    ChangeStream sb = stream(b);
    awaitUntil("one node reads the stream", () -> sa.isStreaming() || sb.isStreaming());
    assertThat(sa.isConsumer() && sb.isConsumer()).isFalse();
    assertThat(sa.fencingToken() + sb.fencingToken()).isPositive();

    for (Tierstate node : List.of(a, b)) {
      node.cache().set("user:1", "user1", MINUTE);
      node.cache().set("user:2", "user2", MINUTE.tags("tenant:2:users"));
      node.cache().set("user:5", "user5", MINUTE.tags("tenant:2:users"));
      node.cache().set("user:7", "user7", MINUTE);
    }

    sql("UPDATE users SET status = 'suspended' WHERE id = 1");
    awaitUntil("user:1 dropped on both nodes", () -> gone(a, "user:1") && gone(b, "user:1"));
    assertThat(b.cache().get("user:7", String.class)).contains("user7");
    awaitUntil(
        "node b's listeners heard of user:1",
        () -> seenByB.stream().anyMatch(e -> e.keys().contains("user:1")));

    sql("DELETE FROM users WHERE id = 2");
    awaitUntil(
        "the tenant's tag dropped user:2 and user:5 on both nodes",
        () -> gone(a, "user:5") && gone(b, "user:5") && gone(a, "user:2") && gone(b, "user:2"));

    // A row that moves to another tenant invalidates the tags of both.
    for (Tierstate node : List.of(a, b)) {
      node.cache().set("tenant-2-list", "list", MINUTE.tags("tenant:2:users"));
    }
    sql("UPDATE users SET tenant = 0 WHERE id = 8"); // 8 was in tenant 2
    awaitUntil(
        "the old tenant's tag", () -> gone(a, "tenant-2-list") && gone(b, "tenant-2-list"));

    // A table outside the publication is not streamed; a transaction of two rows is one apply.
    sql("INSERT INTO notes VALUES (1, 'x')");
    sql("BEGIN; UPDATE users SET name = 'n' WHERE id IN (10, 11); COMMIT");
    MeterRegistry registry = consumer(sa, sb) == sa ? a.metrics().registry() : b.metrics().registry();
    awaitUntil(
        "changes are counted",
        () -> registry.counter("tierstate.cdc.changes", "slot", consumer(sa, sb).slot()).count() >= 5);
    // Four transactions were streamed: three single statements and one of two rows.
    assertThat(registry.find("tierstate.cdc.apply.latency").timer().count()).isEqualTo(4);
    assertThat(b.cache().get("user:7", String.class)).contains("user7");
  }

  @Test
  void anotherNodeTakesOverAndResumesFromTheConfirmedPosition() throws Exception {
    Tierstate a = node("a");
    Tierstate b = node("b");
    ChangeStream sa = stream(a);
    awaitUntil("a reads", sa::isStreaming);
    ChangeStream sb = stream(b);
    sql("UPDATE users SET name = 'first' WHERE id = 3");
    awaitUntil("a confirmed a position", () -> sa.confirmedLsn() > 0);
    assertThat(sb.isConsumer()).isFalse();

    sa.close();
    b.cache().set("user:4", "user4", MINUTE);
    sql("UPDATE users SET name = 'while nobody reads' WHERE id = 4");
    awaitUntil("b took over", sb::isStreaming);
    awaitUntil("the change made in the gap reached b", () -> gone(b, "user:4"));
    assertThat(sb.fencingToken()).isPositive();
  }

  @Test
  void nothingIsConfirmedWhileRedisIsUnreachableAndTheLagAlerts() throws Exception {
    Tierstate a = node("a");
    Tierstate b = node("b");
    List<String> alerts = new CopyOnWriteArrayList<>();
    ChangeStream sa =
        track(
            mapping(ChangeStream.builder(a, url, pg.user(), pg.password()))
                .and()
                .lagAlertBytes(1024)
                .onAlert(alerts::add)
                .start());
    awaitUntil("a reads", sa::isStreaming);
    b.cache().set("user:6", "user6", MINUTE);
    sql("UPDATE users SET name = 'settled' WHERE id = 9");
    awaitUntil("caught up", () -> slotConfirmed() >= currentWal() - 1024 && sa.confirmedLsn() > 0);

    redis.pause();
    try {
      sql("UPDATE users SET name = 'during the outage' WHERE id = 6");
      long commit = currentWal();
      sql("UPDATE users SET name = name || repeat('x', 200)"); // more WAL than the threshold
      Thread.sleep(1_500);
      assertThat(slotConfirmed()).isLessThan(commit);
      awaitUntil("the lag alert fired", () -> !alerts.isEmpty());
      assertThat(a.metrics().healthCheck().toString()).contains("lags");
    } finally {
      redis.resume();
    }
    awaitUntil("the change reached b after Redis came back", () -> gone(b, "user:6"));
    awaitUntil("and its position was confirmed", () -> slotConfirmed() >= currentWal() - 1024);
  }

  @Test
  void aDroppedSlotIsAnsweredByAResyncOfTheMappedEntries() throws Exception {
    Tierstate a = node("a");
    Tierstate b = node("b");
    ChangeStream sa = stream(a);
    awaitUntil("a reads", sa::isStreaming);
    double before = resyncs(a, sa);
    for (Tierstate node : List.of(a, b)) {
      node.cache().set("user:12", "user12", MINUTE);
      node.cache().set("other:1", "kept", MINUTE);
    }
    // An operator drops the slot: the changes made meanwhile were never streamed.
    awaitUntil(
        "the slot was dropped",
        () -> {
          try {
            sql(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE active_pid IS NOT NULL",
                "SELECT pg_drop_replication_slot('" + sa.slot() + "')");
            return true;
          } catch (SQLException e) {
            return false;
          }
        });
    awaitUntil("a resynced after recreating the slot", () -> resyncs(a, sa) > before);
    assertThat(gone(a, "user:12")).isTrue();
    awaitUntil("b dropped the mapped entries too", () -> gone(b, "user:12"));
    assertThat(b.cache().get("other:1", String.class)).contains("kept");
    // And the stream goes on.
    b.cache().set("user:13", "user13", MINUTE);
    sql("UPDATE users SET name = 'after' WHERE id = 13");
    awaitUntil("streaming again", () -> gone(b, "user:13"));
  }

  private static double resyncs(Tierstate node, ChangeStream stream) {
    var counter =
        node.metrics()
            .registry()
            .find("tierstate.cdc.resyncs")
            .tags("slot", stream.slot(), "reason", "slot-created")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static ChangeStream consumer(ChangeStream a, ChangeStream b) {
    return a.isConsumer() ? a : b;
  }

  private static boolean gone(Tierstate node, String key) {
    return node.cache().get(key, String.class).equals(Optional.empty());
  }

  private Tierstate node(String id) {
    Tierstate node = ChangeStreamNodeProcess.node(redis.uri(), namespace, id);
    closing.add(node);
    awaitUntil("node " + id + " reads the log", node::invalidationsFlowing);
    return node;
  }

  private ChangeStream stream(Tierstate node) {
    return track(mapping(ChangeStream.builder(node, url, pg.user(), pg.password())).and().start());
  }

  private ChangeStream track(ChangeStream stream) {
    closing.add(stream);
    return stream;
  }

  private static TableMapping mapping(ChangeStream.Builder builder) {
    return builder
        .table("users")
        .keys(row -> List.of("user:" + row.require("id")))
        .tags(row -> List.of("tenant:" + row.require("tenant") + ":users"))
        .resyncPatterns("user:*");
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private long slotConfirmed() throws SQLException {
    return longQuery(
        "SELECT coalesce(max(confirmed_flush_lsn - '0/0'), 0)::bigint FROM pg_replication_slots");
  }

  private long currentWal() throws SQLException {
    return longQuery("SELECT (pg_current_wal_lsn() - '0/0')::bigint");
  }

  private long longQuery(String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  interface Check {
    boolean test() throws Exception;
  }

  static void awaitUntil(String what, Check check) {
    awaitUntil(what, Duration.ofSeconds(20), check);
  }

  static void awaitUntil(String what, Duration timeout, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (check.test()) {
          return;
        }
      } catch (Exception e) {
        // Not yet.
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
