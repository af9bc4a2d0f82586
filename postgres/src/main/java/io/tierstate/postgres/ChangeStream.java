package io.tierstate.postgres;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockOptions;
import io.tierstate.lock.LockTimeoutException;
import io.tierstate.metrics.HealthCheck;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidation from PostgreSQL's change stream: writes made outside the application (a migration,
 * {@code psql}, another service) invalidate every node's L1, L2 and every browser, through core's
 * invalidation path, like the application's own writes.
 *
 * <pre>{@code
 * ChangeStream stream = ChangeStream.builder(tierstate, jdbcUrl, "app", password)
 *     .table("users").keys(row -> List.of(...)).tags(row -> List.of(...)).resyncPatterns("user:*")
 *     .and().start();
 * }</pre>
 *
 * <p><b>One consumer per cluster.</b> Every node may start a stream; they compete for a lock
 * ({@code cdc:SLOT}, a lease renewed while held, with a fencing token). The holder reads the slot;
 * the others wait and take over when it dies, resuming from the slot's confirmed position. A new
 * holder terminates any connection still reading the slot (a stalled former holder): PostgreSQL
 * lets one connection read a slot at a time, so the former holder can confirm nothing more.
 *
 * <p><b>Repeat, never skip.</b> A transaction's invalidations are sent with {@link
 * io.tierstate.cache.Invalidator#invalidateDurably}; its position is confirmed to PostgreSQL only
 * after that returned. While Redis is unreachable the stream retries and confirms nothing, so a
 * crash at any point repeats invalidations, never loses one.
 *
 * <p><b>A lost stream is a resync, never silence.</b> Whenever the slot has to be created (first
 * start, dropped by an operator, or invalidated by {@code max_slot_wal_keep_size}), every mapped
 * table's {@link TableMapping#resyncPatterns} are invalidated after the new slot exists: whatever
 * changed while no slot recorded it is dropped from every node. A {@code TRUNCATE} or a mapping
 * that fails on a row resyncs that table.
 *
 * <p><b>Meters</b> (on the Tierstate registry unless another is given): {@code
 * tierstate.cdc.slot.lag.bytes}, {@code tierstate.cdc.apply.latency} (commit to invalidation in
 * Redis), {@code tierstate.cdc.changes} and {@code tierstate.cdc.transactions} (rates), {@code
 * tierstate.cdc.resyncs{reason}}, {@code tierstate.cdc.lag.alerts}, {@code tierstate.cdc.consumer}
 * (1 on the node that reads). Every node measures the lag each second; lag past the threshold logs a warning, counts an alert, tells the
 * {@link Builder#onAlert} listeners and turns the health check {@code cdc} degraded.
 *
 * <p>Thread-safe; one background thread per stream.
 */
public final class ChangeStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  // PostgreSQL's own rule for replication slot names (ReplicationSlotValidateName).
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
  private static final int MAX_INVALIDATIONS_PER_TRANSACTION = 5_000;
  private static final Duration POLL = Duration.ofMillis(1);

  private final Tierstate tierstate;
  private final String jdbcUrl;
  private final Properties credentials;
  private final String publication;
  private final String slot;
  private final boolean createPublication;
  private final Map<String, TableMapping> tables;
  private final long lagAlertBytes;
  private final Duration lease;
  private final List<Consumer<String>> alertListeners;
  private final String lockName;
  private final Thread thread;
  private final ScheduledExecutorService lagMonitor;
  private @Nullable Connection lagConnection; // only on the lag monitor's thread

  private final Counter changes;
  private final Counter transactions;
  private final Counter lagAlerts;
  private final Timer applyLatency;
  private final MeterRegistry registry;
  private final AtomicLong lagBytes = new AtomicLong();
  private final AtomicLong consuming = new AtomicLong();
  private final AtomicLong fencingToken = new AtomicLong();
  private final AtomicLong confirmedLsn = new AtomicLong();

  private volatile boolean running = true;
  private volatile boolean streaming;
  private volatile @Nullable Connection replication;
  private long lastAlertNanos; // only on the lag monitor's thread

  private ChangeStream(Builder builder) {
    this.tierstate = builder.tierstate;
    this.jdbcUrl = builder.jdbcUrl;
    this.credentials = new Properties();
    credentials.setProperty("user", builder.user);
    credentials.setProperty("password", builder.password);
    this.publication = builder.publication;
    this.slot = builder.slot != null ? builder.slot : defaultSlot(tierstate);
    this.createPublication = builder.createPublication;
    this.tables = new LinkedHashMap<>(builder.tables);
    this.lagAlertBytes = builder.lagAlertBytes;
    this.lease = builder.lease;
    this.alertListeners = new CopyOnWriteArrayList<>(builder.alertListeners);
    this.lockName = "cdc:" + slot;
    this.registry =
        builder.registry != null ? builder.registry : tierstate.metrics().registry();
    String[] tag = {"slot", slot};
    this.changes = Counter.builder("tierstate.cdc.changes").tags(tag).register(registry);
    this.transactions = Counter.builder("tierstate.cdc.transactions").tags(tag).register(registry);
    this.lagAlerts = Counter.builder("tierstate.cdc.lag.alerts").tags(tag).register(registry);
    this.applyLatency =
        Timer.builder("tierstate.cdc.apply.latency")
            .tags(tag)
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    Gauge.builder("tierstate.cdc.slot.lag.bytes", lagBytes, AtomicLong::get)
        .tags(tag)
        .register(registry);
    Gauge.builder("tierstate.cdc.consumer", consuming, AtomicLong::get).tags(tag).register(registry);
    tierstate.metrics().registerCheck("cdc", this::health);
    this.thread = new Thread(this::run, "tierstate-cdc-" + slot);
    thread.setDaemon(true);
    this.lagMonitor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread monitor = new Thread(task, "tierstate-cdc-lag-" + slot);
              monitor.setDaemon(true);
              return monitor;
            });
  }

  /**
   * Starts building a stream for {@code tierstate} over the database at {@code jdbcUrl}; the user
   * needs the {@code REPLICATION} attribute (or {@code rds_replication}, etc.) and, unless the
   * publication exists, the right to create it.
   */
  public static Builder builder(Tierstate tierstate, String jdbcUrl, String user, String password) {
    return new Builder(tierstate, jdbcUrl, user, password);
  }

  /** The replication slot this stream reads. */
  public String slot() {
    return slot;
  }

  /**
   * Checks a replication slot name by PostgreSQL's rule (1 to 63 characters of {@code a-z}, {@code
   * 0-9} and {@code _}), so that a bad name fails when it is configured rather than when the
   * consumer first creates the slot.
   *
   * @return the name
   * @throws IllegalArgumentException if the name breaks the rule; the message says why and shows it
   */
  public static String requireValidSlot(@Nullable String name) {
    if (name == null || !SLOT_NAME.matcher(name).matches()) {
      String why =
          name == null || name.isEmpty()
              ? "is empty"
              : name.length() > 63
                  ? "has " + name.length() + " characters"
                  : "contains " + firstBadCharacter(name);
      throw new IllegalArgumentException(
          "replication slot name must be 1 to 63 characters of a-z, 0-9 and _ (PostgreSQL's rule;"
              + " one slot per region, such as tierstate_eu), but "
              + (name == null ? "was null" : "'" + name + "' " + why));
    }
    return name;
  }

  private static String firstBadCharacter(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return "'" + c + "' at position " + (i + 1);
      }
    }
    return "no bad character";
  }

  /** Whether this node is the one reading the slot now. */
  public boolean isConsumer() {
    return consuming.get() == 1;
  }

  /**
   * Whether this node reads the slot now and its stream has started: every change committed from
   * now on will be applied.
   */
  public boolean isStreaming() {
    return streaming;
  }

  /** The fencing token of this node's hold on the stream, 0 when it does not hold it. */
  public long fencingToken() {
    return fencingToken.get();
  }

  /** The last position this node confirmed to PostgreSQL, as a {@code pg_lsn} number. */
  public long confirmedLsn() {
    return confirmedLsn.get();
  }

  /** The last measured slot lag in bytes of WAL (on the consumer node). */
  public long lagBytes() {
    return lagBytes.get();
  }

  /**
   * Stops reading and lets another node take over: the lock is released and the slot kept, so the
   * next consumer resumes where this one confirmed. Idempotent.
   */
  @Override
  public void close() {
    running = false;
    Connection current = replication;
    if (current != null) {
      try {
        current.close();
      } catch (SQLException e) {
        // Closing anyway.
      }
    }
    lagMonitor.shutdownNow();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
      lagMonitor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Connection monitor = lagConnection;
    if (monitor != null) {
      try {
        monitor.close();
      } catch (SQLException e) {
        // Closing anyway.
      }
    }
    tierstate.metrics().unregisterCheck("cdc");
  }

  /** Drops the slot in PostgreSQL (after {@link #close()}): stops WAL retention for good. */
  public void dropSlot() {
    try (Connection sql = DriverManager.getConnection(jdbcUrl, credentials);
        PreparedStatement drop =
            sql.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
      drop.setString(1, slot);
      drop.execute();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop replication slot " + slot + ": " + e.getMessage(), e);
    }
  }

  private ChangeStream startThread() {
    thread.start();
    // Every node measures, not only the consumer: the lag matters most when no node consumes.
    var unused = lagMonitor.scheduleWithFixedDelay(this::monitorLag, 0, 1, TimeUnit.SECONDS);
    return this;
  }

  private void monitorLag() {
    try {
      Connection connection = lagConnection;
      if (connection == null || connection.isClosed()) {
        connection = DriverManager.getConnection(jdbcUrl, credentials);
        lagConnection = connection;
      }
      measureLag(connection);
    } catch (SQLException | RuntimeException e) {
      Connection broken = lagConnection;
      lagConnection = null;
      if (broken != null) {
        try {
          broken.close();
        } catch (SQLException ignored) {
          // Already broken.
        }
      }
    }
  }

  private HealthCheck.Result health() {
    long lag = lagBytes.get();
    return lag > lagAlertBytes
        ? HealthCheck.Result.degraded(
            "change stream slot " + slot + " lags " + lag + " bytes (threshold " + lagAlertBytes + ")")
        : HealthCheck.Result.healthy("change stream slot " + slot + " lags " + lag + " bytes");
  }

  private void run() {
    long backoffMillis = 100;
    while (running) {
      LockHandle lock;
      try {
        lock =
            tierstate
                .locks()
                .acquire(
                    lockName,
                    lease,
                    Duration.ofSeconds(1),
                    LockOptions.autoRenew((handle, cause) -> {
                      log.warn("Lost the change-stream lock {} ({}); stopping", lockName, cause);
                      closeReplication();
                    }));
      } catch (LockTimeoutException e) {
        continue;
      } catch (RuntimeException e) {
        sleep(backoffMillis);
        continue;
      }
      try (lock) {
        fencingToken.set(lock.fencingToken());
        consuming.set(1);
        log.info("Reading change stream slot {} (fencing token {})", slot, lock.fencingToken());
        consume(lock);
        backoffMillis = 100;
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.warn("Change stream slot {} stopped: {}; retrying", slot, e.toString());
          sleep(backoffMillis);
          backoffMillis = Math.min(backoffMillis * 2, 2_000);
        }
      } finally {
        streaming = false;
        consuming.set(0);
        fencingToken.set(0);
        closeReplication();
      }
    }
  }

  private void consume(LockHandle lock) throws SQLException {
    try (Connection sql = DriverManager.getConnection(jdbcUrl, credentials)) {
      sql.setAutoCommit(true);
      ensurePublication(sql);
      prepareSlot(sql);
      Connection connection = DriverManager.getConnection(jdbcUrl, replicationProperties());
      replication = connection;
      if (!running || !lock.isHeld()) {
        return;
      }
      PGReplicationStream stream;
      try {
        stream =
            connection
                .unwrap(PGConnection.class)
                .getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(slot)
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", publication)
                .withStatusInterval(1, TimeUnit.SECONDS)
                .start();
      } catch (SQLException e) {
        if (isLostSlot(e)) {
          dropLostSlot(sql, String.valueOf(e.getMessage()));
        }
        throw e;
      }
      streaming = true;
      Transaction tx = new Transaction();
      PgOutput decoder = new PgOutput();
      while (running && lock.isHeld()) {
        ByteBuffer message = stream.readPending();
        if (message == null) {
          if (!tx.open) {
            // Caught up between transactions: what was received is applied, so confirm it and
            // keep the slot from retaining WAL of unrelated tables and databases.
            LogSequenceNumber received = stream.getLastReceiveLSN();
            if (received.asLong() > confirmedLsn.get()) {
              confirm(stream, received);
            }
          }
          sleep(POLL.toMillis());
          continue;
        }
        decoder.decode(message, tx);
        if (tx.committed) {
          apply(tx, lock);
          confirm(stream, LogSequenceNumber.valueOf(tx.endLsn));
          tx.reset();
        }
      }
    }
  }

  private void confirm(PGReplicationStream stream, LogSequenceNumber lsn) throws SQLException {
    stream.setAppliedLSN(lsn);
    stream.setFlushedLSN(lsn);
    stream.forceUpdateStatus();
    confirmedLsn.set(lsn.asLong());
  }

  /** Sends a committed transaction's invalidations, retrying until Redis took them. */
  private void apply(Transaction tx, LockHandle lock) {
    if (tx.changes == 0) {
      return; // before PostgreSQL 15, transactions of unpublished tables arrive empty
    }
    Set<String> resync = new LinkedHashSet<>(tx.resyncTables);
    if (tx.keys.size() + tx.tags.size() > MAX_INVALIDATIONS_PER_TRANSACTION) {
      resync.addAll(tx.touched);
    }
    for (long wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
      try {
        if (!resync.isEmpty()) {
          resyncTables(resync, "transaction");
        }
        if (resync.containsAll(tx.touched)) {
          // Everything it touched was resynced.
        } else {
          if (!tx.keys.isEmpty() || !tx.tags.isEmpty()) {
            tierstate.invalidator().invalidateDurably(tx.keys, tx.tags);
          }
          for (String pattern : tx.patterns) {
            tierstate.invalidator().invalidatePattern(pattern);
          }
        }
        break;
      } catch (RedisUnavailableException e) {
        if (!running || !lock.isHeld()) {
          throw e;
        }
        // Nothing is confirmed meanwhile: the slot retains WAL, which the lag shows and alerts on.
        sleep(wait);
      }
    }
    for (Runnable action : tx.actions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.error("Change stream {}: an action after invalidation failed", slot, e);
      }
    }
    transactions.increment();
    changes.increment(tx.changes);
    long commitMillis = (tx.commitMicros + PG_EPOCH_MICROS) / 1000;
    applyLatency.record(Math.max(0, System.currentTimeMillis() - commitMillis), TimeUnit.MILLISECONDS);
  }

  private void resyncTables(Collection<String> names, String reason) {
    List<String> patterns = new ArrayList<>();
    for (String name : names) {
      TableMapping mapping = tables.get(name);
      if (mapping != null) {
        patterns.addAll(mapping.resyncPatterns());
      }
    }
    for (String pattern : patterns) {
      tierstate.invalidator().invalidatePattern(pattern);
    }
    Counter.builder("tierstate.cdc.resyncs")
        .tags("slot", slot, "reason", reason)
        .register(registry)
        .increment();
    log.warn("Change stream {}: resynced {} ({} patterns) after {}", slot, names, patterns.size(), reason);
  }

  private void ensurePublication(Connection sql) throws SQLException {
    try (PreparedStatement query =
        sql.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      query.setString(1, publication);
      try (ResultSet rows = query.executeQuery()) {
        if (rows.next()) {
          return;
        }
      }
    }
    if (!createPublication) {
      throw new IllegalStateException(
          "publication " + publication + " does not exist; CREATE PUBLICATION " + publication
              + " FOR TABLE " + String.join(", ", tables.keySet()));
    }
    try (Statement create = sql.createStatement()) {
      create.execute(
          "CREATE PUBLICATION " + publication + " FOR TABLE " + String.join(", ", tables.keySet()));
    } catch (SQLException e) {
      // Another node created it in between.
      if (!"42710".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Creates the slot if missing (then resyncs), drops a lost one, fences off a former reader. */
  private void prepareSlot(Connection sql) throws SQLException {
    for (int attempt = 0; attempt < 50; attempt++) {
      String walStatus = null;
      Integer activePid = null;
      boolean exists = false;
      try (PreparedStatement query =
          sql.prepareStatement(
              "SELECT wal_status, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
        query.setString(1, slot);
        try (ResultSet rows = query.executeQuery()) {
          if (rows.next()) {
            exists = true;
            walStatus = rows.getString(1);
            int pid = rows.getInt(2);
            activePid = rows.wasNull() ? null : pid;
          }
        }
      }
      if (exists && "lost".equals(walStatus)) {
        dropLostSlot(sql, "wal_status is lost (max_slot_wal_keep_size exceeded)");
        continue;
      }
      if (!exists) {
        try (PreparedStatement create =
            sql.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
          create.setString(1, slot);
          create.execute();
        }
        // Created after whatever happened while no slot recorded changes: drop all of it.
        resyncTables(tables.keySet(), "slot-created");
        return;
      }
      if (activePid == null) {
        return;
      }
      // A former holder (stalled, or its lock expired) still reads: our token is newer, end it.
      // Its name is logged: a reader that is no node of this deployment means another region
      // reads this slot too (the same slot configured twice), which splits its changes.
      try (PreparedStatement terminate =
          sql.prepareStatement(
              "SELECT application_name, pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ?")) {
        terminate.setInt(1, activePid);
        try (ResultSet ended = terminate.executeQuery()) {
          log.warn(
              "Change stream slot {}: ending the connection still reading it (pid {}, '{}'); a reader"
                  + " that is not a node of this deployment means two regions share this slot",
              slot,
              activePid,
              ended.next() ? ended.getString(1) : "gone");
        }
      }
      sleep(100);
    }
    throw new IllegalStateException("replication slot " + slot + " stays in use by another connection");
  }

  private void dropLostSlot(Connection sql, String why) throws SQLException {
    log.error("Change stream slot {} was invalidated ({}): dropping it; a new slot and a resync follow", slot, why);
    try (PreparedStatement drop = sql.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
      drop.setString(1, slot);
      drop.execute();
    }
  }

  private static boolean isLostSlot(SQLException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("can no longer get changes")
        || message.contains("has been invalidated")
        || message.contains("requested WAL segment");
  }

  private void measureLag(Connection sql) throws SQLException {
    try (PreparedStatement query =
        sql.prepareStatement(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return; // not created yet, or dropped: the consumer recreates it and resyncs
        }
        lagBytes.set(Math.max(0, rows.getLong(1)));
      }
    }
    if (lagBytes.get() > lagAlertBytes) {
      long now = System.nanoTime();
      if (lastAlertNanos == 0 || now - lastAlertNanos > TimeUnit.MINUTES.toNanos(1)) {
        lastAlertNanos = now;
        String message =
            "change stream slot " + slot + " lags " + lagBytes.get() + " bytes of WAL (threshold "
                + lagAlertBytes + ")";
        log.warn(message);
        lagAlerts.increment();
        alertListeners.forEach(listener -> listener.accept(message));
      }
    }
  }

  private Properties replicationProperties() {
    Properties properties = new Properties();
    properties.putAll(credentials);
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
    PGProperty.REPLICATION.set(properties, "database");
    PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
    // Who reads the slot, in pg_stat_replication and in the log of a node that takes it over.
    PGProperty.APPLICATION_NAME.set(properties, "tierstate-cdc " + slot + " " + tierstate.nodeId());
    return properties;
  }

  private void closeReplication() {
    Connection current = replication;
    replication = null;
    if (current != null) {
      try {
        current.close();
      } catch (SQLException e) {
        // Already broken.
      }
    }
  }

  private static String defaultSlot(Tierstate tierstate) {
    String name = "tierstate_" + tierstate.config().namespace().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One transaction's invalidations, gathered until its commit. */
  private final class Transaction implements PgOutput.Handler {
    boolean open;
    boolean committed;
    long endLsn;
    long commitMicros;
    int changes;
    final Set<String> keys = new LinkedHashSet<>();
    final Set<String> tags = new LinkedHashSet<>();
    final Set<String> touched = new LinkedHashSet<>();
    final Set<String> resyncTables = new LinkedHashSet<>();
    final Set<String> patterns = new LinkedHashSet<>();
    final List<Runnable> actions = new ArrayList<>();

    @Override
    public void begin(long finalLsn, long commitMicros) {
      reset();
      open = true;
      this.commitMicros = commitMicros;
    }

    @Override
    public void change(
        String table,
        Row.ChangeKind kind,
        Map<String, @Nullable String> row,
        @Nullable Map<String, @Nullable String> old) {
      changes++;
      TableMapping mapping = tables.get(table);
      if (mapping == null) {
        return;
      }
      touched.add(table);
      try {
        Map<String, @Nullable String> fallback = old != null ? old : new LinkedHashMap<>();
        Row current = new Row(table, kind, row, fallback, kind == Row.ChangeKind.DELETE);
        List<Row> rows = new ArrayList<>(List.of(current));
        if (old != null && kind == Row.ChangeKind.UPDATE) {
          rows.add(new Row(table, kind, old, row, true));
        }
        for (Row each : rows) {
          keys.addAll(mapping.keysOf(each));
          tags.addAll(mapping.tagsOf(each));
          patterns.addAll(mapping.patternsOf(each));
        }
        for (Consumer<Row> action : mapping.actions()) {
          actions.add(() -> action.accept(current));
        }
      } catch (RuntimeException e) {
        log.error("Change stream {}: mapping of {} failed on a {}; resyncing the table", slot, table, kind, e);
        resyncTables.add(table);
      }
    }

    @Override
    public void truncate(List<String> names) {
      changes++;
      for (String name : names) {
        if (tables.containsKey(name)) {
          touched.add(name);
          resyncTables.add(name);
        }
      }
    }

    @Override
    public void commit(long endLsn, long commitMicros) {
      this.endLsn = endLsn;
      this.commitMicros = commitMicros;
      committed = true;
    }

    void reset() {
      open = false;
      committed = false;
      changes = 0;
      keys.clear();
      tags.clear();
      touched.clear();
      resyncTables.clear();
      patterns.clear();
      actions.clear();
    }
  }

  /** Configures a {@link ChangeStream}. Not thread-safe. */
  public static final class Builder {
    private final Tierstate tierstate;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Map<String, TableMapping> tables = new LinkedHashMap<>();
    private final List<Consumer<String>> alertListeners = new ArrayList<>();
    private String publication = "tierstate";
    private @Nullable String slot;
    private boolean createPublication = true;
    private long lagAlertBytes = 64L * 1024 * 1024;
    private Duration lease = Duration.ofSeconds(5);
    private @Nullable MeterRegistry registry;

    private Builder(Tierstate tierstate, String jdbcUrl, String user, String password) {
      this.tierstate = Objects.requireNonNull(tierstate, "tierstate");
      this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
    }

    /**
     * Maps a table (in the publication); its row changes invalidate what the mapping says.
     *
     * @throws IllegalArgumentException if the name is not a lower-case SQL identifier
     */
    public TableMapping table(String name) {
      TableMapping mapping = new TableMapping(this, identifier("table", name));
      tables.put(name, mapping);
      return mapping;
    }

    /** The publication to read, {@code tierstate} by default; created over the mapped tables if missing. */
    public Builder publication(String name) {
      this.publication = identifier("publication", name);
      return this;
    }

    /** Whether to create a missing publication (true by default; needs the right to). */
    public Builder createPublication(boolean create) {
      this.createPublication = create;
      return this;
    }

    /**
     * The replication slot, {@code tierstate_NAMESPACE} by default. One per deployment (per
     * region): each slot gets every change once, so each region's consumer invalidates its own
     * Redis and nodes. Regions that share a namespace must name their slots (the default would be
     * the same slot, whose changes the regions' consumers would then split between them).
     *
     * @throws IllegalArgumentException if the name breaks PostgreSQL's rule for slot names (see
     *     {@link ChangeStream#requireValidSlot})
     */
    public Builder slot(String name) {
      this.slot = requireValidSlot(name);
      return this;
    }

    /** The slot lag in bytes past which an alert is raised; 64 MiB by default. */
    public Builder lagAlertBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("lag alert threshold must be positive: " + bytes);
      }
      this.lagAlertBytes = bytes;
      return this;
    }

    /** The consumer lock's lease (renewed while held); 5 s by default: the takeover time. */
    public Builder lease(Duration lease) {
      if (lease.toMillis() < 100) {
        throw new IllegalArgumentException("lease must be at least 100 ms: " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** Where the meters go; the Tierstate registry by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Called (on the stream's thread) with a message when the lag passes the threshold. */
    public Builder onAlert(Consumer<String> listener) {
      alertListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Starts the stream's thread: it competes for the consumer lock and reads the slot while it
     * holds it.
     *
     * @throws IllegalStateException if no table is mapped
     */
    public ChangeStream start() {
      if (tables.isEmpty()) {
        throw new IllegalStateException("map at least one table before starting a change stream");
      }
      return new ChangeStream(this).startThread();
    }

    private static String identifier(String what, String name) {
      if (name == null || !IDENTIFIER.matcher(name).matches()) {
        throw new IllegalArgumentException(
            what + " name must be a lower-case SQL identifier of at most 63 characters: '" + name + "'");
      }
      return name;
    }
  }
}
