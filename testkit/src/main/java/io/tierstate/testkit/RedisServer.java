package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a loopback port, for tests, examples and benchmarks.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   String uri = redis.uri();                 // "redis://127.0.0.1:40123"
 *   redis.command("SET", "k", "v");
 *   redis.kill();                             // crash it...
 *   redis.restart();                          // ...and bring it back, empty, on the same port
 * }
 * }</pre>
 *
 * <p>The server runs without persistence ({@code --save "" --appendonly no}), bound to 127.0.0.1,
 * in a temporary directory that holds its log and that {@link #close()} deletes. Every stop and
 * crash loses the data, as it would for a real server without persistence. A JVM shutdown hook
 * kills any server still running, so none outlives the JVM (unless the JVM itself is killed with
 * SIGKILL). See the package documentation for which binary is used.
 *
 * <p>Thread-safe: lifecycle methods are serialized; {@link #command} may run concurrently with
 * them and with itself.
 */
public final class RedisServer implements AutoCloseable {
  /** How long {@link Builder#start()} and {@link #restart()} wait for PING by default. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);

  private static final String HOST = "127.0.0.1";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final int PORT_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 20;
  private static final String REDIS_LOG = "redis.log";
  private static final String PROCESS_LOG = "process.log";
  private static @Nullable Boolean tlsSupport;

  private final Path binary;
  private final List<String> extraArgs;
  private final @Nullable String sentinelConfig;
  private final boolean clusterNode;
  private final @Nullable TlsCertificates tls;
  private final boolean tlsAuthClients;
  private final int tlsPort;
  private final Duration startupTimeout;
  private final Path dir;
  private volatile int port;

  // Guarded by this.
  private @Nullable Process process;
  private boolean paused;
  private boolean closed;

  private RedisServer(Builder builder, Path binary, Path dir, int port, int tlsPort) {
    this.binary = binary;
    this.extraArgs = List.copyOf(builder.args);
    this.sentinelConfig = builder.sentinelConfig;
    this.clusterNode = builder.clusterNode;
    this.tls = builder.tls;
    this.tlsAuthClients = builder.tlsAuthClients;
    this.tlsPort = tlsPort;
    this.startupTimeout = builder.startupTimeout;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts a server on a free port with the default settings.
   *
   * @throws IllegalStateException if the server does not start; the message includes its log
   */
  public static RedisServer start() {
    return builder().start();
  }

  /**
   * Whether the {@code redis-server} in use was built with TLS (Debian's and Homebrew's are; the
   * embedded-redis fallback may not be), so that TLS tests can be skipped where it was not. Starts
   * one TLS server the first time it is asked.
   */
  public static synchronized boolean supportsTls() {
    Boolean known = tlsSupport;
    if (known == null) {
      // A build without TLS may refuse the options, or start and fail every handshake.
      TlsCertificates certificates = TlsCertificates.issue();
      try (RedisServer probe = builder().tls(certificates).start()) {
        known = "+PONG".equals(certificates.pingOverTls(probe.tlsPort));
      } catch (IllegalStateException | IOException e) {
        known = false;
      }
      tlsSupport = known;
    }
    return known;
  }

  /** Returns a builder for a server with a chosen port or extra {@code redis-server} arguments. */
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

  /** Returns the server's address as a Redis URI, {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://" + HOST + ":" + port;
  }

  /**
   * Returns the server's TLS address as a Redis URI, {@code rediss://localhost:PORT}: the name its
   * certificate was issued for.
   *
   * @throws IllegalStateException if the server was not built with {@link Builder#tls}
   */
  public String tlsUri() {
    if (tls == null) {
      throw new IllegalStateException("server on " + uri() + " has no TLS port; build it with tls(...)");
    }
    return "rediss://localhost:" + tlsPort;
  }

  /** The TLS port, or 0 without TLS. */
  int tlsPort() {
    return tlsPort;
  }

  /** Returns the path of the {@code redis-server} binary this server runs. */
  public String binary() {
    return binary.toString();
  }

  /** Returns the directory the server runs in, with its logs; deleted by {@link #close()}. */
  Path directory() {
    return dir;
  }

  /**
   * Returns whether the server process is alive; a {@linkplain #pause() paused} server is alive.
   */
  public synchronized boolean isRunning() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /**
   * Stops the server gracefully (SIGTERM, resuming it first if paused) and waits until it has
   * exited. Does nothing if it is not running. The data is lost; {@link #restart()} starts it again
   * on the same port.
   */
  public synchronized void stop() {
    Process current = process;
    if (current == null) {
      return;
    }
    if (paused && current.isAlive()) {
      Signals.send(current.pid(), "CONT");
    }
    current.destroy();
    if (!awaitExit(current, STOP_TIMEOUT)) {
      current.destroyForcibly();
      awaitExit(current, STOP_TIMEOUT);
    }
    forget(current);
  }

  /**
   * Kills the server with SIGKILL, as a crash would, and waits until it has exited. Does nothing if
   * it is not running. The data is lost; {@link #restart()} starts it again on the same port.
   */
  public synchronized void kill() {
    Process current = process;
    if (current == null) {
      return;
    }
    current.destroyForcibly();
    awaitExit(current, STOP_TIMEOUT);
    forget(current);
  }

  /**
   * Starts the server again on the same port, stopping it first if it is running, and waits until
   * it answers PING. It starts empty.
   *
   * @throws IllegalStateException if the server was closed, or does not start (for example because
   *     another process took its port); the message includes its log
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("server on " + uri() + " was closed; start a new one");
    }
    stop();
    launchAndAwait(false);
  }

  /**
   * Freezes the server process (SIGSTOP), as a hung or overloaded server: connections are still
   * accepted by the kernel but no command is answered until {@link #resume()}. Does nothing if
   * already paused.
   *
   * @throws IllegalStateException if the server is not running
   */
  public synchronized void pause() {
    Process current = requireRunning("pause");
    if (paused) {
      return;
    }
    Signals.send(current.pid(), "STOP");
    paused = true;
    // The signal is asynchronous: wait until the kernel reports the process as stopped.
    Poll.until(STOP_TIMEOUT, () -> Signals.isStopped(current.pid()));
  }

  /** Lets a {@linkplain #pause() paused} server run again (SIGCONT). Does nothing otherwise. */
  public synchronized void resume() {
    Process current = process;
    if (current == null || !paused) {
      return;
    }
    Signals.send(current.pid(), "CONT");
    paused = false;
  }

  /**
   * Deletes every key in every database ({@code FLUSHALL}).
   *
   * @throws IllegalStateException if Redis does not reply OK
   * @throws UncheckedIOException if the server cannot be reached
   */
  public void flushAll() {
    String reply = command("FLUSHALL");
    if (!"OK".equals(reply)) {
      throw new IllegalStateException("FLUSHALL on " + uri() + " replied " + reply);
    }
  }

  /**
   * Waits until {@code replica} has applied every write this server had accepted when the call
   * began: its {@code slave_repl_offset} reaches this server's {@code master_repl_offset}. Use it
   * instead of {@code WAIT}, which counts only the writes of its own connection, and {@link
   * #command} opens a new connection per command (so {@code WAIT} there returns at once).
   *
   * @throws IllegalStateException if the replica does not catch up within {@code timeout}
   * @throws UncheckedIOException if this server cannot be reached
   */
  public void awaitReplicated(RedisServer replica, Duration timeout) {
    long target = replicationOffset(this, "master_repl_offset");
    boolean caughtUp = Poll.until(timeout, () -> replicationOffset(replica, "slave_repl_offset") >= target);
    if (!caughtUp) {
      throw new IllegalStateException(
          replica.uri() + " did not reach offset " + target + " of " + uri() + " within " + timeout.toMillis()
              + " ms; it reports: " + replica.command("INFO", "replication"));
    }
  }

  /** A numeric field of {@code INFO replication}, or -1 when the server lacks it or cannot be reached. */
  private static long replicationOffset(RedisServer server, String field) {
    String info;
    try {
      info = Resp.render(Resp.call(server.port(), Resp.DEFAULT_TIMEOUT, "INFO", "replication"));
    } catch (IOException e) {
      return -1;
    }
    if (info != null) {
      for (String line : info.lines().toList()) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim());
        }
      }
    }
    return -1;
  }

  /**
   * Sends one command on a new connection and returns the reply as text: simple and bulk strings
   * as they are, errors as {@code "ERR:" + message} (for example {@code "ERR:WRONGTYPE
   * Operation..."}), integers in decimal, arrays as their elements joined by {@code "\n"} (nested
   * arrays flattened, nil elements as {@code "(nil)"}), and a nil reply as {@code null}.
   *
   * <pre>{@code
   * redis.command("SET", "k", "v", "PX", "5000");   // "OK"
   * redis.command("PTTL", "k");                     // "4999"
   * redis.command("GET", "missing");                // null
   * }</pre>
   *
   * @param args the command and its arguments, such as {@code "PTTL", "k"}
   * @return the rendered reply, or {@code null} for a nil reply
   * @throws IllegalArgumentException if {@code args} is empty
   * @throws UncheckedIOException if the server cannot be reached or does not reply within 5 s
   */
  public @Nullable String command(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("command requires at least the command name");
    }
    try {
      return Resp.render(Resp.call(port, Resp.DEFAULT_TIMEOUT, args));
    } catch (IOException e) {
      throw new UncheckedIOException(args[0] + " to " + uri() + " failed: " + e.getMessage(), e);
    }
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
    return "RedisServer{" + uri() + ", binary=" + binary + ", dir=" + dir + "}";
  }

  /** Starts the process; on the first start a busy automatic port is replaced by another. */
  private synchronized void launchAndAwait(boolean mayChangePort) {
    for (int attempt = 1; ; attempt++) {
      Process started = launch();
      boolean answered =
          Poll.until(startupTimeout, () -> !started.isAlive() || isOurs(started));
      if (answered && started.isAlive()) {
        process = started;
        paused = false;
        return;
      }
      started.destroyForcibly();
      awaitExit(started, STOP_TIMEOUT);
      ProcessReaper.unregister(started);
      String log = logTail();
      if (mayChangePort && attempt < PORT_ATTEMPTS && log.contains("Address already in use")) {
        deleteLogs();
        port = clusterNode ? FreePorts.findWithBusPort() : FreePorts.find();
        continue;
      }
      String why =
          answered
              ? "exited with code " + started.exitValue() + " while starting"
              : "did not answer PING within " + startupTimeout.toMillis() + " ms";
      throw new IllegalStateException(
          "redis-server " + binary + " on " + HOST + ":" + port + " " + why + "; log:\n" + log);
    }
  }

  private Process launch() {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    if (sentinelConfig != null) {
      Path config = dir.resolve("sentinel.conf");
      try {
        // Sentinel rewrites its config file; on a restart keep what it wrote.
        if (!Files.exists(config)) {
          Files.writeString(config, sentinelConfig, UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + config, e);
      }
      command.add(config.toString());
      command.add("--sentinel");
    }
    command.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", HOST,
            "--protected-mode", "no",
            "--save", "",
            "--appendonly", "no",
            "--dir", dir.toString(),
            "--logfile", dir.resolve(REDIS_LOG).toString()));
    if (clusterNode) {
      command.addAll(
          List.of(
              "--cluster-enabled", "yes",
              "--cluster-config-file", "nodes.conf",
              "--cluster-node-timeout", "5000"));
    }
    if (tls != null) {
      // The plain port stays open for the testkit's own PING and command().
      command.addAll(
          List.of(
              "--tls-port", Integer.toString(tlsPort),
              "--tls-cert-file", tls.certificateFile().toString(),
              "--tls-key-file", tls.keyFile().toString(),
              "--tls-ca-cert-file", tls.caFile().toString(),
              "--tls-auth-clients", tlsAuthClients ? "yes" : "no"));
    }
    command.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(PROCESS_LOG).toFile()));
    try {
      Process started = builder.start();
      ProcessReaper.register(started);
      started.getOutputStream().close();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    }
  }

  /** Whether the server answering on our port is this process, not a stranger that took it. */
  private boolean isOurs(Process started) {
    if (!Resp.ping(port, PROBE_TIMEOUT)) {
      return false;
    }
    try {
      String info = Resp.render(Resp.call(port, PROBE_TIMEOUT, "INFO", "server"));
      return info != null && info.contains("process_id:" + started.pid() + "\r");
    } catch (IOException e) {
      return false;
    }
  }

  private synchronized Process requireRunning(String action) {
    Process current = process;
    if (current == null || !current.isAlive()) {
      throw new IllegalStateException(
          "cannot " + action + " the server on " + uri() + ": it is not running");
    }
    return current;
  }

  private synchronized void forget(Process stopped) {
    ProcessReaper.unregister(stopped);
    process = null;
    paused = false;
  }

  private String logTail() {
    StringBuilder tail = new StringBuilder();
    for (String name : List.of(PROCESS_LOG, REDIS_LOG)) {
      Path file = dir.resolve(name);
      try {
        if (!Files.exists(file)) {
          continue;
        }
        List<String> lines = new String(Files.readAllBytes(file), UTF_8).lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
        if (!last.isEmpty()) {
          tail.append("--- ").append(file).append(" ---\n");
          last.forEach(line -> tail.append(line).append('\n'));
        }
      } catch (IOException e) {
        tail.append("--- ").append(file).append(": unreadable: ").append(e).append('\n');
      }
    }
    return tail.length() == 0 ? "(empty)\n" : tail.toString();
  }

  private void deleteLogs() {
    for (String name : List.of(PROCESS_LOG, REDIS_LOG)) {
      try {
        Files.deleteIfExists(dir.resolve(name));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + dir.resolve(name), e);
      }
    }
  }

  private static boolean awaitExit(Process target, Duration timeout) {
    try {
      return target.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis-server to exit", e);
    }
  }

  /**
   * Configures and starts a {@link RedisServer}. Not thread-safe; use each builder from one thread.
   */
  public static final class Builder {
    private int port;
    private final List<String> args = new ArrayList<>();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private @Nullable Path binary;
    private @Nullable String sentinelConfig;
    private boolean clusterNode;
    private @Nullable TlsCertificates tls;
    private boolean tlsAuthClients;

    private Builder() {}

    /**
     * Also listens for TLS on a second free port ({@link RedisServer#tlsUri()}), presenting the
     * server certificate of {@code certificates}; clients are not asked for certificates. Needs a
     * {@code redis-server} built with TLS, as Debian's is.
     *
     * @return this builder
     */
    public Builder tls(TlsCertificates certificates) {
      this.tls = Objects.requireNonNull(certificates, "certificates");
      return this;
    }

    /**
     * Like {@link #tls}, and TLS clients must present a certificate that the same CA signed
     * ({@code tls-auth-clients yes}), such as {@link TlsCertificates#certificateFile()} with its
     * key: mutual TLS.
     *
     * @return this builder
     */
    public Builder tlsWithClientCertificates(TlsCertificates certificates) {
      tls(certificates);
      this.tlsAuthClients = true;
      return this;
    }

    /**
     * Sets the port; 0, the default, picks a free one.
     *
     * @param port a TCP port, or 0 for a free one
     * @return this builder
     * @throws IllegalArgumentException if the port is outside 0..65535
     */
    public Builder port(int port) {
      this.port = BuilderChecks.port(port);
      return this;
    }

    /**
     * Adds {@code redis-server} arguments, after the testkit's own so they win, such as {@code
     * args("--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lru")}.
     *
     * @param args command-line arguments, each option and each value a separate string
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder args(String... args) {
      BuilderChecks.addArgs(this.args, args);
      return this;
    }

    /**
     * Sets how long to wait for the server to answer PING; the default is {@link
     * #DEFAULT_STARTUP_TIMEOUT}.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = BuilderChecks.positiveStartupTimeout(timeout);
      return this;
    }

    /** Runs this binary instead of searching for one. */
    Builder binary(Path binary) {
      this.binary = binary;
      return this;
    }

    /** Runs a sentinel (redis-server --sentinel) with this initial configuration file content. */
    Builder sentinel(String config) {
      this.sentinelConfig = config;
      return this;
    }

    /** Runs a cluster-enabled node; an automatic port then also leaves port + 10000 free. */
    Builder clusterNode() {
      this.clusterNode = true;
      return this;
    }

    /**
     * Starts the server and waits until it answers PING.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException if the server does not start in time or exits; the message
     *     includes the tail of its log
     */
    public RedisServer start() {
      UnitTestGuard.checkMayStart("redis-server");
      Path executable = binary != null ? binary : RedisBinary.redisServer();
      boolean automaticPort = port == 0;
      int chosenPort =
          !automaticPort ? port : clusterNode ? FreePorts.findWithBusPort() : FreePorts.find();
      Path dir = TempDirs.create("tierstate-redis-");
      ProcessReaper.register(dir);
      // With tls-cluster the cluster bus listens 10000 above the TLS port.
      int chosenTlsPort = tls == null ? 0 : clusterNode ? FreePorts.findWithBusPort() : FreePorts.find();
      RedisServer server = new RedisServer(this, executable, dir, chosenPort, chosenTlsPort);
      try {
        server.launchAndAwait(automaticPort);
        return server;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }
}
