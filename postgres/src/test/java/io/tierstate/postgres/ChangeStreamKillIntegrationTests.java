package io.tierstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.audit.AuditOptions;
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
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: 10,000 random updates by an outside writer (plain JDBC) while the consumer node is
 * killed with {@code kill -9} twice and PostgreSQL is restarted once; after quiescence every node
 * serves the final value of every row, and the consistency auditor, sampling all along, reports zero
 * inconsistencies.
 *
 * <p>The nodes that run the change stream are JVMs of their own ({@link ChangeStreamNodeProcess}),
 * so that the consumer can be killed for real: no {@code close()}, no lock release, its replication
 * connection cut by the kernel. Two of them run at any time (a consumer and a standby, a new standby
 * started after each kill), so each kill hits the node that reads the slot. Two more nodes run in
 * this JVM without a stream: readers on them keep caching rows ({@code item:ID}) and group sums
 * tagged with the rows' group ({@code group-list:G}, tag {@code group:G}) in L1 and L2 throughout,
 * which is what the invalidations must reach; their auditors re-read PostgreSQL.
 *
 * <p>{@code -Dcdc.kill.updates=N} runs a longer form (default 10,000).
 */
class ChangeStreamKillIntegrationTests {
  private static final int ROWS = 300;
  private static final int GROUPS = 10;
  private static final String SLOT = "tierstate_kill";
  private static final long LEASE_MILLIS = 2_000;
  private static final CacheOptions MINUTES = CacheOptions.ttl(Duration.ofMinutes(10));

  @Test
  void tenThousandUpdatesSurviveTwoKillsAndARestartWithNoStaleValueLeft() throws Exception {
    int updates = Integer.getInteger("cdc.kill.updates", 10_000);
    try (PostgresServer pg = PostgresServer.start();
        RedisServer redis = RedisServer.start()) {
      String url = pg.createDatabase("cdckill");
      try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE items (id int PRIMARY KEY, grp int NOT NULL, val int NOT NULL)");
        s.execute(
            "INSERT INTO items SELECT g, g % " + GROUPS + ", 0 FROM generate_series(1, " + ROWS + ") g");
      }
      long t0 = System.nanoTime();
      List<String> timeline = new CopyOnWriteArrayList<>();
      List<String> inconsistencies = new CopyOnWriteArrayList<>();
      List<Process> children = new CopyOnWriteArrayList<>();
      List<AutoCloseable> closing = new ArrayList<>();
      AtomicBoolean reading = new AtomicBoolean(true);
      List<Thread> readers = new ArrayList<>();
      try {
        Children nodes = new Children(redis, pg, url, children);
        Process first = nodes.start("child-1");
        nodes.awaitStreaming(first);
        nodes.start("child-2");

        // The nodes that serve reads, with the auditor on from the start.
        List<Tierstate> servers = new ArrayList<>();
        for (String id : List.of("a", "b")) {
          Tierstate node =
              Tierstate.create(
                  TierstateConfig.builder()
                      .redisUrl(redis.uri())
                      .namespace("kill")
                      .nodeId(id)
                      .commandTimeout(Duration.ofMillis(500))
                      .breakerOpenDuration(Duration.ofMillis(200))
                      .build());
          closing.add(node);
          ChangeStreamIntegrationTests.awaitUntil("node " + id + " reads the log", node::invalidationsFlowing);
          Source source = new Source(url, pg);
          closing.add(source);
          // The window covers a failover (one lease and a JVM start) and PostgreSQL's restart:
          // an entry still stale after it is an invalidation the stream lost.
          node.audit()
              .options(
                  AuditOptions.defaults().samplesPerSecond(100).propagationWindow(Duration.ofSeconds(10)))
              .verify("item:*", String.class, (key, cached) -> cached.equals(source.item(id(key))))
              .verify(
                  "group-list:*", String.class, (key, cached) -> cached.equals(source.group(id(key))));
          closing.add(
              node.audit()
                  .onInconsistency(
                      found ->
                          inconsistencies.add(
                              String.format(
                                  "%.1f s: node %s, %s in %s, stale for %d ms; the slot lags %s"
                                      + " bytes behind the WAL",
                                  (System.nanoTime() - t0) / 1e9,
                                  id,
                                  found.key(),
                                  found.tier(),
                                  found.staleFor().toMillis(),
                                  slotLag(url, pg)))));
          servers.add(node);
          for (int r = 0; r < 2; r++) {
            Source readerSource = new Source(url, pg);
            closing.add(readerSource);
            Random random = new Random(r * 31L + id.hashCode());
            readers.add(
                Thread.ofPlatform()
                    .name("reader-" + id + r)
                    .start(() -> read(node, readerSource, random, reading)));
          }
        }

        // The writer: random rows, random values, one transaction each; retried through the restart.
        Random random = new Random(15);
        AtomicLong retries = new AtomicLong();
        long writing = System.nanoTime();
        timeline.add(String.format("%.1f s: first update", (writing - t0) / 1e9));
        try (Source writer = new Source(url, pg)) {
          for (int i = 1; i <= updates; i++) {
            if (i == updates / 4 || i == updates * 3 / 4) {
              Process consumer = nodes.awaitConsumer();
              nodes.kill9(consumer);
              timeline.add(String.format("%.1f s: kill -9 of the consumer at update %d", (System.nanoTime() - t0) / 1e9, i));
              nodes.start("child-" + (children.size() + 1));
            } else if (i == updates / 2) {
              pg.restart();
              timeline.add(String.format("%.1f s: PostgreSQL restarted at update %d", (System.nanoTime() - t0) / 1e9, i));
            }
            int row = 1 + random.nextInt(ROWS);
            int value = random.nextInt(1_000_000);
            while (!writer.update(row, value)) {
              retries.incrementAndGet();
              Thread.sleep(20);
            }
          }
        }

        // Quiescence: the slot's position reaches the end of the WAL written so far (a commit is
        // confirmed only once its invalidations are in Redis), then the readers stop.
        long wrote = System.nanoTime();
        long end = walEnd(url, pg);
        ChangeStreamIntegrationTests.awaitUntil(
            "a consumer confirmed every commit", Duration.ofSeconds(60), () -> confirmed(url, pg) >= end);
        long quiet = System.nanoTime();
        timeline.add(String.format("%.1f s: last update", (wrote - t0) / 1e9));
        timeline.add(String.format("%.1f s: every commit confirmed (quiescence)", (quiet - t0) / 1e9));
        int foundBeforeQuiescence = inconsistencies.size();
        long[] consistentAtQuiescence = new long[servers.size()];
        for (int n = 0; n < servers.size(); n++) {
          consistentAtQuiescence[n] = servers.get(n).audit().report().consistent();
        }
        reading.set(false);
        for (Thread reader : readers) {
          reader.join(10_000);
        }
        System.out.printf(
            "Kill test: %d updates in %.1f s (writer retries %d), confirmed %.1f s later%n",
            updates, (wrote - writing) / 1e9, retries.get(), (quiet - wrote) / 1e9);

        Map<String, String> truth = truth(url, pg);
        for (Tierstate node : servers) {
          // Every entry still cached holds the final value (the log may need a moment to be read).
          ChangeStreamIntegrationTests.awaitUntil(
              "node " + node.nodeId() + " holds no stale entry",
              () -> staleEntries(node, truth).isEmpty());
          for (Map.Entry<String, String> e : truth.entrySet()) {
            String served =
                node.cache().getOrLoad(e.getKey(), String.class, e::getValue, MINUTES);
            assertThat(served).as(e.getKey()).isEqualTo(e.getValue());
          }
        }
        // After quiescence the auditor makes a full pass over both tiers of both nodes (every
        // cached entry sampled once more) and decides what waited for its re-check: nothing may be
        // inconsistent from then on. What it confirmed during the run (entries still stale past its
        // window while the consumer worked off a failover's backlog) is printed with the timeline.
        for (int n = 0; n < servers.size(); n++) {
          Tierstate node = servers.get(n);
          long target = consistentAtQuiescence[n] + 2L * truth.size();
          ChangeStreamIntegrationTests.awaitUntil(
              "node " + node.nodeId() + "'s auditor made a full pass after quiescence",
              Duration.ofSeconds(60),
              () -> node.audit().report().consistent() >= target && node.audit().report().pending() == 0);
          System.out.printf("Kill test, node %s: %s; %d stream nodes started%n", node.nodeId(),
              node.audit().report(), children.size());
        }
        timeline.forEach(line -> System.out.println("Kill test timeline: " + line));
        inconsistencies.forEach(line -> System.out.println("Kill test inconsistency: " + line));
        assertThat(inconsistencies.subList(foundBeforeQuiescence, inconsistencies.size()))
            .as("inconsistencies confirmed after quiescence")
            .isEmpty();
        assertThat(nodes.killed).isEqualTo(2);
      } finally {
        reading.set(false);
        for (Thread reader : readers) {
          reader.join(10_000);
        }
        for (Process child : children) {
          child.destroyForcibly();
        }
        for (AutoCloseable c : closing.reversed()) {
          c.close();
        }
      }
    }
  }

  /** Readers cache rows and group sums, loading from PostgreSQL; failures (the restart) are skipped. */
  private static void read(Tierstate node, Source source, Random random, AtomicBoolean reading) {
    while (reading.get()) {
      try {
        if (random.nextInt(4) == 0) {
          int group = random.nextInt(GROUPS);
          node.cache()
              .getOrLoad(
                  "group-list:" + group, String.class, () -> source.group(group), MINUTES.tags("group:" + group));
        } else {
          int row = 1 + random.nextInt(ROWS);
          node.cache().getOrLoad("item:" + row, String.class, () -> source.item(row), MINUTES);
        }
      } catch (RuntimeException e) {
        sleep(20); // PostgreSQL restarting: the loader failed.
      }
      // Mostly L1 hits: without a pause four readers would take both cores from the writer and the
      // consumer.
      sleep(1);
    }
  }

  private static Map<String, String> staleEntries(Tierstate node, Map<String, String> truth) {
    Map<String, String> stale = new HashMap<>();
    for (Map.Entry<String, String> e : truth.entrySet()) {
      Optional<String> cached = node.cache().get(e.getKey(), String.class);
      if (cached.isPresent() && !cached.get().equals(e.getValue())) {
        stale.put(e.getKey(), cached.get());
      }
    }
    return stale;
  }

  /** The final value of every cached name: rows and group sums, read from PostgreSQL. */
  private static Map<String, String> truth(String url, PostgresServer pg) throws SQLException {
    Map<String, String> truth = new HashMap<>();
    try (Source source = new Source(url, pg)) {
      for (int row = 1; row <= ROWS; row++) {
        truth.put("item:" + row, source.item(row));
      }
      for (int group = 0; group < GROUPS; group++) {
        truth.put("group-list:" + group, source.group(group));
      }
    }
    return truth;
  }

  private static int id(String key) {
    return Integer.parseInt(key.substring(key.indexOf(':') + 1));
  }

  /** How far the slot's confirmed position is behind the WAL, to tell lag from loss. */
  private static String slotLag(String url, PostgresServer pg) {
    try {
      return Long.toString(walEnd(url, pg) - confirmed(url, pg));
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static long walEnd(String url, PostgresServer pg) throws SQLException {
    return longQuery(url, pg, "SELECT (pg_current_wal_lsn() - '0/0')::bigint");
  }

  private static long confirmed(String url, PostgresServer pg) throws SQLException {
    return longQuery(
        url,
        pg,
        "SELECT coalesce(max(confirmed_flush_lsn - '0/0'), 0)::bigint FROM pg_replication_slots"
            + " WHERE slot_name = '" + SLOT + "'");
  }

  private static long longQuery(String url, PostgresServer pg, String query) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One connection to PostgreSQL, opened again after a failure (the restart). Thread-safe. */
  private static final class Source implements AutoCloseable {
    private final String url;
    private final PostgresServer pg;
    private Connection connection;

    Source(String url, PostgresServer pg) {
      this.url = url;
      this.pg = pg;
    }

    synchronized String item(int id) throws SQLException {
      return query("SELECT val::text FROM items WHERE id = ?", id);
    }

    synchronized String group(int group) throws SQLException {
      return query("SELECT sum(val)::text FROM items WHERE grp = ?", group);
    }

    /** One autocommit update; false if it failed (it may or may not have committed). */
    synchronized boolean update(int id, int value) {
      try (PreparedStatement update = connection().prepareStatement("UPDATE items SET val = ? WHERE id = ?")) {
        update.setInt(1, value);
        update.setInt(2, id);
        update.executeUpdate();
        return true;
      } catch (SQLException e) {
        drop();
        return false;
      }
    }

    private String query(String sql, int id) throws SQLException {
      try (PreparedStatement q = connection().prepareStatement(sql)) {
        q.setInt(1, id);
        try (ResultSet r = q.executeQuery()) {
          if (!r.next()) {
            throw new SQLException("no row for " + id);
          }
          return r.getString(1);
        }
      } catch (SQLException e) {
        drop();
        throw e;
      }
    }

    private Connection connection() throws SQLException {
      if (connection == null) {
        connection = DriverManager.getConnection(url, pg.user(), pg.password());
      }
      return connection;
    }

    private void drop() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // Already broken.
        }
        connection = null;
      }
    }

    @Override
    public synchronized void close() {
      drop();
    }
  }

  /** The stream's nodes, each a JVM of its own. */
  private static final class Children {
    private final RedisServer redis;
    private final PostgresServer pg;
    private final String url;
    private final List<Process> processes;
    private final Map<Process, AtomicBoolean> streaming = new ConcurrentHashMap<>();
    int killed;

    Children(RedisServer redis, PostgresServer pg, String url, List<Process> processes) {
      this.redis = redis;
      this.pg = pg;
      this.url = url;
      this.processes = processes;
    }

    Process start(String id) throws Exception {
      AtomicBoolean flag = new AtomicBoolean();
      Process process =
          ChangeStreamNodeProcess.launch(id, flag, redis.uri(), "kill", id, url, pg.user(), pg.password(), SLOT,
              Long.toString(LEASE_MILLIS));
      processes.add(process);
      streaming.put(process, flag);
      return process;
    }

    void awaitStreaming(Process process) {
      ChangeStreamIntegrationTests.awaitUntil(
          "child " + process.pid() + " streams", () -> streaming.get(process).get());
    }

    /** The live child that reads the slot, once one does. */
    Process awaitConsumer() {
      Process[] found = new Process[1];
      ChangeStreamIntegrationTests.awaitUntil(
          "a child streams",
          () -> {
            for (Process p : processes) {
              if (p.isAlive() && streaming.get(p).get()) {
                found[0] = p;
                return true;
              }
            }
            return false;
          });
      return found[0];
    }

    /** SIGKILL, through kill(1) as an operator would: the JVM gets no chance to clean up. */
    void kill9(Process process) throws Exception {
      Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(137);
      killed++;
    }
  }
}
