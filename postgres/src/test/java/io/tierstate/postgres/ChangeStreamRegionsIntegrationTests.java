package io.tierstate.postgres;

import static io.tierstate.postgres.ChangeStreamIntegrationTests.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, regions: two deployments of one service (the same namespace), each with its own Redis
 * and two nodes of its own, share one PostgreSQL. Each region runs its own change stream on its own
 * slot ({@code tierstate_region_a}, {@code tierstate_region_b}), its consumer elected by the lock in
 * that region's Redis, so a write committed anywhere invalidates every region: a write made through
 * the application on a node of region A (which invalidates region A only, through region A's
 * Redis) and a plain JDBC write are not served stale by any node of region B once the propagation
 * bound has passed. Region A's consumer runs in a JVM of its own and is killed with {@code kill -9}:
 * region B goes on invalidating as before (its consumer unchanged), and region A's other node takes
 * its slot over and applies what was committed meanwhile.
 */
class ChangeStreamRegionsIntegrationTests {
  private static final int ROWS = 20;
  private static final int GROUPS = 4;
  private static final String NAMESPACE = "app"; // one service, deployed twice
  private static final String SLOT_A = "tierstate_region_a";
  private static final String SLOT_B = "tierstate_region_b";
  private static final long LEASE_MILLIS = 2_000;
  /**
   * How long after a commit a healthy region may still serve the old value: the consumer's latency
   * is milliseconds on loopback (p99 under 50 ms in docs/benchmarks.md); the bound leaves room for a
   * loaded 2-core machine.
   */
  private static final Duration PROPAGATION_BOUND = Duration.ofSeconds(5);
  private static final CacheOptions MINUTES = CacheOptions.ttl(Duration.ofMinutes(10));

  @Test
  void aWriteInOneRegionReachesTheOtherAndKillingOneRegionsConsumerLeavesTheOtherWorking()
      throws Exception {
    try (PostgresServer pg = PostgresServer.start();
        RedisServer redisA = RedisServer.start();
        RedisServer redisB = RedisServer.start()) {
      String url = pg.createDatabase("regions");
      sql(url, pg, "CREATE TABLE items (id int PRIMARY KEY, grp int NOT NULL, val int NOT NULL)");
      sql(url, pg, "INSERT INTO items SELECT g, g % " + GROUPS + ", 0 FROM generate_series(1, " + ROWS + ") g");
      List<AutoCloseable> closing = new ArrayList<>();
      Process consumerA = null;
      try {
        // Region A: node a2 in a JVM of its own reads slot A first (so that it can be killed for
        // real); node a1, in this JVM, serves reads and the application's writes and waits as
        // region A's standby.
        AtomicBoolean a2Streaming = new AtomicBoolean();
        consumerA = startChild(redisA, url, pg, "a2", a2Streaming);
        awaitUntil("a2 reads slot A", a2Streaming::get);
        Tierstate a1 = node(redisA, "a1", closing);
        ChangeStream streamA1 = stream(a1, url, pg, SLOT_A, closing);
        // Region B: two nodes in this JVM, both running the stream on slot B.
        Tierstate b1 = node(redisB, "b1", closing);
        Tierstate b2 = node(redisB, "b2", closing);
        ChangeStream streamB1 = stream(b1, url, pg, SLOT_B, closing);
        ChangeStream streamB2 = stream(b2, url, pg, SLOT_B, closing);
        awaitUntil("one node of region B reads slot B", () -> streamB1.isStreaming() || streamB2.isStreaming());
        ChangeStream consumerB = streamB1.isConsumer() ? streamB1 : streamB2;
        long tokenB = consumerB.fencingToken();
        assertThat(streamB1.isConsumer() && streamB2.isConsumer()).as("one consumer in region B").isFalse();
        assertThat(streamA1.isConsumer()).as("a1 waits: a2 holds region A's lock").isFalse();
        // Both slots exist and are read, each by its region's consumer.
        assertThat(activeSlots(url, pg)).containsExactlyInAnyOrder(SLOT_A, SLOT_B);

        List<Tierstate> regionB = List.of(b1, b2);
        List<Tierstate> serving = List.of(a1, b1, b2);
        List<String> figures = new ArrayList<>();
        for (Tierstate node : serving) {
          warm(node, url, pg);
        }

        // 1. The application writes on a1: its own invalidation reaches region A's Redis only;
        // region B hears of it from slot B.
        long t0 = System.nanoTime();
        applicationWrite(a1, url, pg, 1, 101);
        assertThat(a1.cache().get("item:1", String.class)).isEmpty();
        figures.add("application write on a1 → region B: "
            + awaitNotStale(regionB, url, pg, 1, "0", t0) + " ms");

        // 2. A plain JDBC write, as psql: every node of both regions.
        t0 = System.nanoTime();
        sql(url, pg, "UPDATE items SET val = 102 WHERE id = 2");
        figures.add("plain JDBC write → both regions: " + awaitNotStale(serving, url, pg, 2, "0", t0) + " ms");

        // 3. Region A's consumer dies (kill -9: no close, no lock release). Region B keeps working.
        kill9(consumerA);
        long killed = System.nanoTime();
        sql(url, pg, "UPDATE items SET val = 103 WHERE id = 3");
        figures.add("plain JDBC write just after region A's consumer was killed → region B: "
            + awaitNotStale(regionB, url, pg, 3, "0", killed) + " ms (then region A had a consumer again: "
            + streamA1.isStreaming() + "; a1 still served the old value: " + serves(a1, "item:3", "0") + ")");
        t0 = System.nanoTime();
        applicationWrite(a1, url, pg, 4, 104);
        figures.add("application write on a1 without a region A consumer → region B: "
            + awaitNotStale(regionB, url, pg, 4, "0", t0) + " ms");
        assertThat(consumerB.isStreaming() && consumerB.fencingToken() == tokenB)
            .as("region B's consumer is the same, still streaming")
            .isTrue();

        // Region A recovers by itself: a1 takes slot A over (one lease after the kill) and applies
        // what was committed meanwhile (row 3 reaches a1 only through slot A).
        awaitUntil("a1 took region A's slot over", Duration.ofSeconds(30), streamA1::isStreaming);
        figures.add("region A's failover: " + (System.nanoTime() - killed) / 1_000_000 + " ms after the kill");
        awaitNotStale(List.of(a1), url, pg, 3, "0", System.nanoTime());
        t0 = System.nanoTime();
        sql(url, pg, "UPDATE items SET val = 105 WHERE id = 5");
        figures.add("plain JDBC write after the failover → both regions: "
            + awaitNotStale(serving, url, pg, 5, "0", t0) + " ms");

        // Quiescence: both slots confirmed the end of the WAL; every node serves every final value.
        long end = walEnd(url, pg);
        awaitUntil("both slots confirmed every commit", Duration.ofSeconds(30),
            () -> confirmed(url, pg, SLOT_A) >= end && confirmed(url, pg, SLOT_B) >= end);
        Map<String, String> truth = truth(url, pg);
        for (Tierstate node : serving) {
          for (Map.Entry<String, String> e : truth.entrySet()) {
            Optional<String> cached = node.cache().get(e.getKey(), String.class);
            assertThat(cached.isEmpty() || cached.get().equals(e.getValue()))
                .as("node %s holds no stale %s", node.nodeId(), e.getKey())
                .isTrue();
            assertThat(node.cache().getOrLoad(e.getKey(), String.class, e::getValue, MINUTES))
                .isEqualTo(e.getValue());
          }
        }
        figures.forEach(line -> System.out.println("Regions test: " + line));
      } finally {
        if (consumerA != null) {
          consumerA.destroyForcibly();
        }
        for (AutoCloseable c : closing.reversed()) {
          c.close();
        }
      }
    }
  }

  /**
   * Waits until none of {@code nodes} serves row {@code id}'s old value ({@code item:ID} or its
   * group's sum) any more, fails past the propagation bound, and returns the milliseconds since
   * {@code since}; then each node serves the new values.
   */
  private static long awaitNotStale(
      List<Tierstate> nodes, String url, PostgresServer pg, int id, String oldValue, long since)
      throws SQLException {
    int group = id % GROUPS;
    String oldSum = sumBefore(url, pg, group, id, oldValue);
    String item = "item:" + id;
    String sum = "group-list:" + group;
    long remaining = PROPAGATION_BOUND.toNanos() - (System.nanoTime() - since);
    awaitUntil(
        "no node serves the old value of row " + id,
        Duration.ofNanos(Math.max(remaining, 1)),
        () -> nodes.stream().noneMatch(n -> serves(n, item, oldValue) || serves(n, sum, oldSum)));
    long millis = (System.nanoTime() - since) / 1_000_000;
    String value = single(url, pg, "SELECT val::text FROM items WHERE id = " + id);
    String total = single(url, pg, "SELECT sum(val)::text FROM items WHERE grp = " + group);
    for (Tierstate node : nodes) {
      assertThat(node.cache().getOrLoad(item, String.class, () -> value, MINUTES)).isEqualTo(value);
      assertThat(node.cache().getOrLoad(sum, String.class, () -> total, MINUTES.tags("group:" + group)))
          .isEqualTo(total);
    }
    return millis;
  }

  private static boolean serves(Tierstate node, String key, String value) {
    return node.cache().get(key, String.class).equals(Optional.of(value));
  }

  /** The group's sum before row {@code id} changed from {@code oldValue} (the rows' current values otherwise). */
  private static String sumBefore(String url, PostgresServer pg, int group, int id, String oldValue)
      throws SQLException {
    return single(url, pg, "SELECT (sum(val) - (SELECT val FROM items WHERE id = " + id + ") + " + oldValue
        + ")::text FROM items WHERE grp = " + group);
  }

  /** A write through the application: the row in PostgreSQL, then its usual invalidation (this region). */
  private static void applicationWrite(Tierstate node, String url, PostgresServer pg, int id, int value)
      throws SQLException {
    sql(url, pg, "UPDATE items SET val = " + value + " WHERE id = " + id);
    node.cache().delete("item:" + id);
    node.cache().invalidateTags("group:" + (id % GROUPS));
  }

  /** Caches every row and group sum in the node's L1 and its region's L2. */
  private static void warm(Tierstate node, String url, PostgresServer pg) throws SQLException {
    Map<String, String> truth = truth(url, pg);
    for (Map.Entry<String, String> e : truth.entrySet()) {
      String key = e.getKey();
      CacheOptions options =
          key.startsWith("group-list:") ? MINUTES.tags("group:" + key.substring("group-list:".length())) : MINUTES;
      assertThat(node.cache().getOrLoad(e.getKey(), String.class, e::getValue, options)).isEqualTo(e.getValue());
    }
  }

  private static Map<String, String> truth(String url, PostgresServer pg) throws SQLException {
    Map<String, String> truth = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("SELECT id, val FROM items")) {
        while (rows.next()) {
          truth.put("item:" + rows.getInt(1), rows.getString(2));
        }
      }
      try (ResultSet rows = s.executeQuery("SELECT grp, sum(val)::text FROM items GROUP BY grp")) {
        while (rows.next()) {
          truth.put("group-list:" + rows.getInt(1), rows.getString(2));
        }
      }
    }
    return truth;
  }

  private static Tierstate node(RedisServer redis, String id, List<AutoCloseable> closing) {
    Tierstate node = ChangeStreamNodeProcess.node(redis.uri(), NAMESPACE, id);
    closing.add(node);
    awaitUntil("node " + id + " reads the log", node::invalidationsFlowing);
    return node;
  }

  private static ChangeStream stream(
      Tierstate node, String url, PostgresServer pg, String slot, List<AutoCloseable> closing) {
    ChangeStream stream =
        ChangeStreamNodeProcess.mapping(ChangeStream.builder(node, url, pg.user(), pg.password()))
            .and()
            .slot(slot)
            .lease(Duration.ofMillis(LEASE_MILLIS))
            .start();
    closing.add(stream);
    return stream;
  }

  /** Region A's node a2, a JVM of its own, running the stream on slot A; the flag follows its output. */
  private static Process startChild(
      RedisServer redis, String url, PostgresServer pg, String id, AtomicBoolean streaming) throws Exception {
    return ChangeStreamNodeProcess.launch(id, streaming, redis.uri(), NAMESPACE, id, url, pg.user(), pg.password(),
        SLOT_A, Long.toString(LEASE_MILLIS));
  }

  /** SIGKILL through kill(1), as an operator would: the JVM gets no chance to clean up. */
  private static void kill9(Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(137);
  }

  private static List<String> activeSlots(String url, PostgresServer pg) throws SQLException {
    List<String> slots = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE active")) {
      while (rows.next()) {
        slots.add(rows.getString(1));
      }
    }
    return slots;
  }

  private static long walEnd(String url, PostgresServer pg) throws SQLException {
    return Long.parseLong(single(url, pg, "SELECT (pg_current_wal_lsn() - '0/0')::bigint::text"));
  }

  private static long confirmed(String url, PostgresServer pg, String slot) throws SQLException {
    return Long.parseLong(single(url, pg,
        "SELECT coalesce(max(confirmed_flush_lsn - '0/0'), 0)::bigint::text FROM pg_replication_slots"
            + " WHERE slot_name = '" + slot + "'"));
  }

  private static String single(String url, PostgresServer pg, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        PreparedStatement s = c.prepareStatement(query);
        ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static void sql(String url, PostgresServer pg, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
