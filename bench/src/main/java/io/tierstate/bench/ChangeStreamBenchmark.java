package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.audit.AuditOptions;
import io.tierstate.audit.AuditReport;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.postgres.ChangeStream;
import io.tierstate.testkit.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Invalidation from PostgreSQL's change stream (module {@code postgres}), measured: an outside writer
 * (plain JDBC, as {@code psql}) commits updates of a table that two Tierstate nodes cache and that
 * both nodes stream with {@link ChangeStream} (one of them consumes, under the lock).
 *
 * <ul>
 *   <li><b>Commit to invalidation</b>, one commit at a time over distinct rows, each row's key held in
 *       both nodes' L1 before the commit: from the moment {@code COMMIT} is sent to (a) both nodes'
 *       L1 having dropped the key and (b) the {@link InvalidationEvent} on each node, the event the
 *       reference service's event hub turns into the browsers' {@code invalidate} message. A node's
 *       listener is called right after the same thread removed the key from L1 (the log's reader,
 *       or the stream's thread on the consumer), so its time is when the L1 stopped serving the old
 *       value; it is then checked with {@code
 *       inspect} (not in L1) and {@code get} (not the old value) on both nodes.
 *   <li><b>Consumer throughput</b>: bursts of row changes (one big transaction, many small ones,
 *       single-row transactions) from the first commit until every changed row's key was heard on
 *       both nodes.
 *   <li><b>The auditor's cost per sample</b>, with a verifier that re-reads the row from PostgreSQL.
 * </ul>
 *
 * <p>Quick mode (the test command, through {@code ChangeStreamBenchmarkIntegrationTests}) runs a few
 * dozen commits and small bursts and checks only correctness. Full mode ({@code bench/postgres-cdc.sh})
 * writes its section between the {@code cdc-bench} markers of {@code docs/benchmarks.md} and into the
 * resource {@code benchmarks-cdc.md} that {@code bench/run.sh --full} copies into the same file.
 */
public final class ChangeStreamBenchmark {
  static final String START = "<!-- cdc-bench:start -->";
  static final String END = "<!-- cdc-bench:end -->";
  static final String RESOURCE = "bench/src/main/resources/io/tierstate/bench/benchmarks-cdc.md";
  private static final CacheOptions OPTIONS = CacheOptions.ttl(Duration.ofHours(1));
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final double TARGET_P99_MS = 100;

  private ChangeStreamBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args {@code --quick} or {@code --full}, and {@code --out FILE} for the report of the full
   *     mode (default {@code docs/benchmarks.md})
   */
  public static void main(String[] args) throws Exception {
    RunArgs parsed = RunArgs.parse(args);
    RunMode mode = parsed.mode();
    Path out = parsed.out() != null ? parsed.out() : Path.of("docs/benchmarks.md");
    String loadBefore = RunArgs.loadAverage();
    Section section = run(mode);
    String markdown = section.markdown();
    System.out.println(markdown);
    if (mode == RunMode.FULL) {
      String block =
          START
              + "\n"
              + markdown.replaceFirst(
                  "\n\n",
                  "\n\nMeasured by `bench/postgres-cdc.sh` on "
                      + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                      + ", "
                      + Runtime.getRuntime().availableProcessors()
                      + " cores, load average "
                      + loadBefore
                      + " at the start and "
                      + RunArgs.loadAverage()
                      + " at the end.\n\n")
                  .stripTrailing()
              + "\n"
              + END
              + "\n";
      Files.writeString(Path.of(RESOURCE), block, StandardCharsets.UTF_8);
      Files.writeString(out, splice(Files.readString(out), block), StandardCharsets.UTF_8);
      System.out.println("Wrote " + out.toAbsolutePath() + " and " + RESOURCE);
    } else {
      System.out.println("Quick mode: every check passed");
    }
    System.exit(0);
  }

  /** {@code doc} with its cdc-bench block replaced by {@code block}, or the block added before the notes. */
  static String splice(String doc, String block) {
    Matcher existing =
        Pattern.compile(Pattern.quote(START) + ".*?" + Pattern.quote(END) + "\\n?", Pattern.DOTALL)
            .matcher(doc);
    if (existing.find()) {
      return doc.substring(0, existing.start()) + block + doc.substring(existing.end());
    }
    int notes = doc.indexOf("\n## Notes\n");
    return notes < 0
        ? doc + "\n" + block
        : doc.substring(0, notes + 1) + block + "\n" + doc.substring(notes + 1);
  }

  /**
   * Measures and reports; in any mode, fails if a commit is not heard by both nodes within {@code
   * TIMEOUT}, a node still holds or serves the old value after it, a burst is not applied in full,
   * or the auditor finds an inconsistency.
   */
  public static Section run(RunMode mode) throws Exception {
    int commits = mode.pick(40, 1_000);
    int[] bursts = {mode.pick(500, 5_000), mode.pick(500, 5_000), mode.pick(200, 2_000)};
    int[] perTransaction = {bursts[0], 10, 1};
    Duration audit = Duration.ofSeconds(mode.pick(2, 20));
    int rows = commits + Arrays.stream(bursts).sum();

    try (PostgresServer pg = PostgresServer.start();
        BenchRedis redis = BenchRedis.startOrConnect()) {
      String url = pg.createDatabase("cdcbench");
      try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
        s.execute(
            "INSERT INTO items SELECT g, 'v0-' || g FROM generate_series(1, " + rows + ") g");
      }
      List<Map<String, Long>> heard = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
      List<CountDownLatch> resynced = List.of(new CountDownLatch(1), new CountDownLatch(1));
      List<AutoCloseable> closing = new ArrayList<>();
      try {
        Tierstate[] nodes = new Tierstate[2];
        ChangeStream[] streams = new ChangeStream[2];
        for (int n = 0; n < 2; n++) {
          Tierstate node =
              Tierstate.create(
                  redis.tierstateConfig().namespace("bench-cdc").nodeId("cdc-" + n).build());
          closing.add(node);
          Map<String, Long> mine = heard.get(n);
          CountDownLatch patternHeard = resynced.get(n);
          closing.add(
              node.invalidator()
                  .onInvalidation(
                      event -> {
                        long now = System.nanoTime();
                        if (event.kind() == InvalidationEvent.Kind.PATTERN) {
                          patternHeard.countDown();
                        }
                        for (String key : event.keys()) {
                          mine.putIfAbsent(key, now);
                        }
                      }));
          nodes[n] = node;
        }
        for (int n = 0; n < 2; n++) {
          streams[n] =
              ChangeStream.builder(nodes[n], url, pg.user(), pg.password())
                  .table("items")
                  .keys(row -> List.of("item:" + row.require("id")))
                  .resyncPatterns("item:*")
                  .and()
                  .slot("bench_cdc")
                  .start();
          closing.add(streams[n]);
        }
        awaitUntil("one node streams", () -> streams[0].isStreaming() || streams[1].isStreaming());
        int consumer = streams[0].isConsumer() ? 0 : 1;
        // The consumer created the slot, so it resyncs item:* on every node: wait for that before
        // caching anything.
        // (A node hears its own pattern invalidations through no listener: the consumer's meter says.)
        awaitUntil(
            "the consumer resynced the new slot",
            () -> {
              var resyncs =
                  nodes[consumer]
                      .metrics()
                      .registry()
                      .find("tierstate.cdc.resyncs")
                      .tags("slot", "bench_cdc", "reason", "slot-created")
                      .counter();
              return resyncs != null && resyncs.count() >= 1;
            });
        Checks.check(
            resynced.get(1 - consumer).await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
            "the resync of the new slot did not reach the other node");

        Section section = new Section("Invalidation from PostgreSQL's change stream");
        section.paragraph(
            "A real PostgreSQL (testkit `PostgresServer`, `wal_level=logical`) and Redis on loopback;"
                + " two Tierstate nodes cache rows of a table as `item:ID` and both run `ChangeStream`"
                + " on it (one consumes the slot under the lock, the other waits). An outside writer"
                + " (plain JDBC, bypassing the application) commits `UPDATE items SET name = ..."
                + " WHERE id = ?`, one commit at a time over "
                + Section.number(commits, 0)
                + " distinct rows whose keys both nodes hold in L1 beforehand. Each time runs from the"
                + " moment `COMMIT` is sent. (a) is the later of the two nodes' L1 dropping the key: a"
                + " node's invalidation listener is called right after the same thread removed the key"
                + " from L1 (the log's reader, or on the consumer node the stream's own thread), so its"
                + " clock is the L1's; afterwards both nodes are checked"
                + " (`inspect`: not in L1; `get`: not the old value). (b) is the `InvalidationEvent`"
                + " on a node: what the reference service's event hub (`EventsFeature`) turns into the"
                + " browsers' `invalidate` message, without the SSE write itself (measured through the"
                + " server's real event stream in the next section).");
        Latencies latencies = commitToInvalidation(nodes, url, pg, heard, commits, consumer);
        Table table = new Table("from COMMIT to", "p50 ms", "p90 ms", "p99 ms", "max ms");
        table.row(latencies.bothL1().cells("(a) both nodes' L1 dropped the key"));
        table.row(latencies.consumerEvent().cells("(b) event on the consumer node"));
        table.row(latencies.otherEvent().cells("(b) event on the other node"));
        section.table(table);
        double p99 = latencies.bothL1().percentile(99) / 1e6;
        section.target(
            "p99 COMMIT → every node's L1, under " + (int) TARGET_P99_MS + " ms",
            String.format(Locale.ROOT, "%.1f ms", p99),
            p99 < TARGET_P99_MS);
        double p99Event = latencies.otherEvent().percentile(99) / 1e6;
        section.target(
            "p99 COMMIT → browser-facing event on the other node, under " + (int) TARGET_P99_MS + " ms",
            String.format(Locale.ROOT, "%.1f ms", p99Event),
            p99Event < TARGET_P99_MS);

        Table throughput =
            new Table("burst", "row changes", "transactions", "first statement → all heard on both nodes", "changes/s");
        int next = commits + 1;
        for (int i = 0; i < bursts.length; i++) {
          int changes = bursts[i];
          int size = perTransaction[i];
          long nanos = burst(url, pg, heard, next, changes, size);
          next += changes;
          throughput.row(
              size == changes
                  ? "one transaction"
                  : size == 1 ? "single-row transactions" : size + " rows per transaction",
              Section.number(changes, 0),
              String.format(Locale.ROOT, "%,d", (changes + size - 1) / size),
              String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6),
              Section.number(changes / (nanos / 1e9), 0));
        }
        section.paragraph(
            "Consumer throughput: the writer commits a burst of updates of rows nobody cached, back"
                + " to back on one connection (JDBC batches); the time runs from the first statement until every changed"
                + " row's key was heard by both nodes' listeners. A transaction of more than 5,000 keys"
                + " would be applied as a resync instead, so the largest burst stays at that limit.");
        section.table(throughput);

        AuditReport[] reports = audit(nodes, url, pg, commits, audit);
        Table cost = new Table("node", "samples", "inconsistent", "mean cost per sample");
        for (int n = 0; n < 2; n++) {
          AuditReport r = reports[n];
          cost.row(
              n == consumer ? "consumer" : "other",
              Long.toString(r.consistent() + r.staleInWindow() + r.inconsistent()),
              Long.toString(r.inconsistent()),
              String.format(Locale.ROOT, "%.2f ms", r.meanSampleCost().toNanos() / 1e6));
        }
        section.paragraph(
            "The consistency auditor on both nodes for "
                + audit.toSeconds()
                + " s at 50 samples/s, over the "
                + Section.number(commits, 0)
                + " rows cached again in both tiers, with a verifier that re-reads the row from"
                + " PostgreSQL (one `SELECT` by primary key on a pooled connection): the mean cost per"
                + " sample is the cache read and the verifier, as `AuditReport.meanSampleCost`.");
        section.table(cost);
        return section;
      } finally {
        for (AutoCloseable c : closing.reversed()) {
          c.close();
        }
      }
    }
  }

  /** Times in nanoseconds, sorted. */
  static final class Times {
    private final long[] nanos;

    private Times(long[] nanos) {
      this.nanos = nanos;
    }

    static Times of(long[] nanos) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      return new Times(sorted);
    }

    long percentile(double p) {
      int rank = (int) Math.ceil(p / 100 * nanos.length);
      return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))];
    }

    String[] cells(String label) {
      return new String[] {
        label, ms(percentile(50)), ms(percentile(90)), ms(percentile(99)), ms(nanos[nanos.length - 1])
      };
    }

    private static String ms(long nanos) {
      return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
  }

  record Latencies(Times bothL1, Times consumerEvent, Times otherEvent) {}

  private static Latencies commitToInvalidation(
      Tierstate[] nodes, String url, PostgresServer pg, List<Map<String, Long>> heard, int commits, int consumer)
      throws Exception {
    // Both nodes hold every row's key in L1: node 0 writes them (L1 and L2), then, once node 1 heard
    // those writes (which drop its L1 copies), node 1 reads them back from L2 into its L1.
    Map<String, String> values = new HashMap<>();
    for (int id = 1; id <= commits; id++) {
      values.put("item:" + id, "v0-" + id);
    }
    nodes[0].cache().setAll(values, OPTIONS);
    awaitUntil("node 1 heard node 0's writes", () -> heard.get(1).keySet().containsAll(values.keySet()));
    for (String key : values.keySet()) {
      Checks.check(
          nodes[1].cache().get(key, String.class).isPresent(), key + " is not in L2 after setAll");
    }
    heard.get(0).clear();
    heard.get(1).clear();
    long[] both = new long[commits];
    long[] consumerEvent = new long[commits];
    long[] otherEvent = new long[commits];
    int other = 1 - consumer;
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        PreparedStatement update = c.prepareStatement("UPDATE items SET name = ? WHERE id = ?")) {
      c.setAutoCommit(false);
      for (int i = 0; i < commits; i++) {
        int id = i + 1;
        String key = "item:" + id;
        for (Tierstate node : nodes) {
          // The old value is in both L1s right before the commit (outside the timing).
          if (!node.cache().inspect(key).inL1()) {
            Checks.check(node.cache().get(key, String.class).isPresent(), key + " left L2 early");
          }
          Checks.check(node.cache().inspect(key).inL1(), key + " is not in a node's L1 before its commit");
        }
        update.setString(1, "v1-" + id);
        update.setInt(2, id);
        update.executeUpdate();
        long start = System.nanoTime();
        c.commit();
        long deadline = start + TIMEOUT.toNanos();
        while (!(heard.get(0).containsKey(key) && heard.get(1).containsKey(key))) {
          Checks.check(System.nanoTime() < deadline, "no invalidation of " + key + " within " + TIMEOUT);
          // A short park, not a spin: the nodes' log readers need the machine's 2 cores.
          LockSupport.parkNanos(50_000);
        }
        long atConsumer = heard.get(consumer).getOrDefault(key, start) - start; // present: checked above
        long atOther = heard.get(other).getOrDefault(key, start) - start;
        both[i] = Math.max(atConsumer, atOther);
        consumerEvent[i] = atConsumer;
        otherEvent[i] = atOther;
        for (Tierstate node : nodes) {
          Checks.check(!node.cache().inspect(key).inL1(), key + " is still in a node's L1 after its event");
          Checks.check(
              !node.cache().get(key, String.class).equals(Optional.of("v0-" + id)),
              key + " still served the old value after its event");
        }
      }
    }
    return new Latencies(Times.of(both), Times.of(consumerEvent), Times.of(otherEvent));
  }

  /** Commits {@code changes} updates from row {@code first} on, {@code size} per transaction. */
  private static long burst(
      String url, PostgresServer pg, List<Map<String, Long>> heard, int first, int changes, int size)
      throws SQLException {
    List<String> keys = new ArrayList<>(changes);
    for (int id = first; id < first + changes; id++) {
      keys.add("item:" + id);
    }
    long start;
    try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
        PreparedStatement update = c.prepareStatement("UPDATE items SET name = ? WHERE id = ?")) {
      c.setAutoCommit(false);
      start = System.nanoTime();
      for (int done = 0; done < changes; done += size) {
        for (int id = first + done; id < first + Math.min(changes, done + size); id++) {
          update.setString(1, "v1-" + id);
          update.setInt(2, id);
          update.addBatch();
        }
        update.executeBatch();
        c.commit();
      }
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos() * 6;
    while (!(heard.get(0).keySet().containsAll(keys) && heard.get(1).keySet().containsAll(keys))) {
      Checks.check(
          System.nanoTime() < deadline,
          "a burst of " + changes + " changes was not heard in full within " + TIMEOUT.multipliedBy(6));
      sleep(1);
    }
    long last = 0;
    for (String key : keys) {
      last = Math.max(last, Math.max(heard.get(0).getOrDefault(key, 0L), heard.get(1).getOrDefault(key, 0L)));
    }
    return last - start;
  }

  /** Both nodes cache the first {@code rows} rows again and audit them against PostgreSQL. */
  private static AuditReport[] audit(
      Tierstate[] nodes, String url, PostgresServer pg, int rows, Duration duration) throws Exception {
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(4);
    for (int i = 0; i < 4; i++) {
      pool.add(DriverManager.getConnection(url, pg.user(), pg.password()));
    }
    try {
      Map<String, String> values = new HashMap<>();
      try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT id, name FROM items WHERE id <= " + rows)) {
        while (r.next()) {
          values.put("item:" + r.getInt(1), r.getString(2));
        }
      }
      nodes[0].cache().setAll(values, OPTIONS);
      for (String key : values.keySet()) {
        var unused = nodes[1].cache().get(key, String.class); // into node 1's L1
      }
      for (Tierstate node : nodes) {
        node.audit()
            .options(AuditOptions.defaults().samplesPerSecond(50))
            .verify(
                "item:*",
                String.class,
                (key, cached) -> {
                  Connection c = pool.take();
                  try (PreparedStatement q = c.prepareStatement("SELECT name FROM items WHERE id = ?")) {
                    q.setInt(1, Integer.parseInt(key.substring("item:".length())));
                    try (ResultSet r = q.executeQuery()) {
                      return r.next() && cached.equals(r.getString(1));
                    }
                  } finally {
                    pool.add(c);
                  }
                });
      }
      sleep(duration.toMillis());
      AuditReport[] reports = {nodes[0].audit().report(), nodes[1].audit().report()};
      for (AuditReport r : reports) {
        Checks.check(r.consistent() > 0, "the auditor decided no sample: " + r);
        Checks.check(r.inconsistent() == 0 && r.errors() == 0, "the auditor found a problem: " + r);
      }
      return reports;
    } finally {
      for (Connection c : pool) {
        c.close();
      }
    }
  }

  private static void awaitUntil(String what, BooleanSupplier check) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos() * 3;
    while (!check.getAsBoolean()) {
      Checks.check(System.nanoTime() < deadline, "timed out waiting until " + what);
      sleep(10);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
