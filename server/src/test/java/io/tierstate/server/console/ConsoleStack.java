package io.tierstate.server.console;

import io.tierstate.server.testing.ApiClient;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the console's browser tests run against: one real PostgreSQL, one real Redis, and {@code n}
 * processes of the shaded server jar ({@code target/tierstate-server.jar}, the one the README runs)
 * on them, with the demo data and one JWT secret, as two instances behind a load balancer. Each
 * instance logs to {@code target/console-<name>.log}.
 *
 * <p>{@link #runNpm} runs one of the console's npm scripts with the instances' URLs in its
 * environment ({@code CONSOLE_URL_A}, {@code CONSOLE_URL_B}, …). Not thread-safe.
 */
final class ConsoleStack implements AutoCloseable {
  private static final String SECRET = "console-e2e-secret-0123456789abcdef0123";
  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final PostgresServer postgres;
  private final RedisServer redis;
  private final List<Process> servers = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final Map<String, String> extraEnv;

  private ConsoleStack(PostgresServer postgres, RedisServer redis, Map<String, String> extraEnv) {
    this.postgres = postgres;
    this.redis = redis;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  /** Starts PostgreSQL, Redis and {@code instances} server processes, and waits until each is healthy. */
  static ConsoleStack start(int instances) throws IOException, InterruptedException {
    return start(instances, Map.of());
  }

  /**
   * As {@link #start(int)}, with {@code extraEnv} added to (or replacing in) every instance's
   * environment: {@code TIERSTATE_NODE_HEARTBEAT=1s}, say.
   */
  static ConsoleStack start(int instances, Map<String, String> extraEnv) throws IOException, InterruptedException {
    Path jar = Path.of("target", "tierstate-server.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run 'mvn package' first");
    }
    ConsoleStack stack = new ConsoleStack(PostgresServer.start(), RedisServer.start(), extraEnv);
    try {
      String jdbcUrl = stack.postgres.createDatabase("console_e2e");
      for (int i = 0; i < instances; i++) {
        stack.startServer(jar, jdbcUrl, String.valueOf((char) ('a' + i)));
      }
      return stack;
    } catch (IOException | InterruptedException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startServer(Path jar, String jdbcUrl, String name) throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Path.of("target", "console-" + name + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(variable -> variable.startsWith("DATABASE_") || variable.startsWith("REDIS_"));
    env.put("PORT", Integer.toString(port));
    env.put("DATABASE_URL", jdbcUrl);
    env.put("DATABASE_USER", postgres.user());
    env.put("REDIS_URL", redis.uri());
    env.put("JWT_SECRET", SECRET);
    env.put("TIERSTATE_DEMO", "true");
    env.put("TIERSTATE_NODE_ID", "console-" + name);
    // The browsers sign in many times from one address; the limits are tested elsewhere.
    env.put("LOGIN_RATE_LIMIT_IP", "100000");
    env.put("LOGIN_RATE_LIMIT_EMAIL", "100000");
    env.put("API_RATE_LIMIT", "1000000");
    env.put("MAX_DEVICES", "1000");
    // One read in 16 for the hot keys (default 256): the browser test reads a key a few thousand times.
    env.put("TIERSTATE_HOT_KEY_SAMPLING", "16");
    env.put("LOG_LEVEL", "WARN");
    env.putAll(extraEnv);
    Process process = builder.start();
    servers.add(process);
    // The server's own idea of its origin is the Host header; browsers will use "localhost".
    String url = "http://localhost:" + port;
    urls.add(url);
    ApiClient probe = new ApiClient(url, "127.0.0.1");
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!healthy(probe)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server " + name + " exited during start-up:\n" + tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("server " + name + " not healthy within " + STARTUP + ":\n" + tail(log));
      }
      Thread.sleep(200);
    }
  }

  /** The port of the Redis every instance shares (the browser tests pause it with CLIENT PAUSE). */
  int redisPort() {
    return redis.port();
  }

  /** The process of instance {@code index} (0 is A), to measure its CPU time or to kill it. */
  ProcessHandle process(int index) {
    return servers.get(index).toHandle();
  }

  /** The base URLs of the instances, in start order. */
  List<String> urls() {
    return List.copyOf(urls);
  }

  /**
   * Runs {@code npm run <script>} in the console module, with {@code CONSOLE_URL_A}, {@code
   * CONSOLE_URL_B}… and {@code extraEnv} set, its output in {@code log}.
   *
   * @return the exit status, or -1 if it did not end within {@code timeout} (it is then killed)
   */
  int runNpm(String script, Path log, Map<String, String> extraEnv, Duration timeout)
      throws IOException, InterruptedException {
    Path console = Path.of("..", "console").toAbsolutePath().normalize();
    ProcessBuilder builder = new ProcessBuilder("npm", "run", "--silent", script)
        .directory(console.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    for (int i = 0; i < urls.size(); i++) {
      builder.environment().put("CONSOLE_URL_" + (char) ('A' + i), urls.get(i));
    }
    builder.environment().putAll(extraEnv);
    Process npm = builder.start();
    if (!npm.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      npm.descendants().forEach(ProcessHandle::destroyForcibly);
      npm.destroyForcibly();
      return -1;
    }
    return npm.exitValue();
  }

  /** The last lines of a log file, for failure messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 120), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e.getMessage() + ")";
    }
  }

  private static boolean healthy(ApiClient probe) {
    try {
      return probe.get("/health").status() == 200;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /** Stops the server processes (SIGTERM, then SIGKILL after 30 s), then Redis and PostgreSQL. */
  @Override
  public void close() {
    for (Process server : servers) {
      server.destroy();
    }
    for (Process server : servers) {
      try {
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        server.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    redis.close();
    postgres.close();
  }
}
