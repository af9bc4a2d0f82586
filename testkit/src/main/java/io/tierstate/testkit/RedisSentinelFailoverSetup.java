package io.tierstate.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A Redis primary, one replica and three Sentinels (quorum 2) watching them as {@value
 * #MASTER_NAME}: a setup that fails over for real, for fault tests. Each is a real {@code
 * redis-server} process on a free loopback port.
 *
 * <pre>{@code
 * try (RedisSentinelFailoverSetup setup = RedisSentinelFailoverSetup.start()) {
 *   String uri = setup.uri();            // "redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/0#mymaster"
 *   RedisServer before = setup.primary();
 *   setup.failover();                     // SENTINEL FAILOVER, waits until the replica is primary
 *   before.kill();                        // or crash the primary: the Sentinels promote the replica
 *   setup.awaitPrimaryOtherThan(before, Duration.ofSeconds(20));
 * }
 * }</pre>
 *
 * <p>The Sentinels consider a primary down after {@value #DOWN_AFTER_MILLIS} ms without an answer,
 * so a crash fails over in a few seconds. Replication is asynchronous, as in production: writes
 * acknowledged by the primary just before it died may be lost by the promotion (Redis's own
 * Sentinel documentation says so), which is exactly what fault tests measure.
 *
 * <p>Thread-safe.
 */
public final class RedisSentinelFailoverSetup implements AutoCloseable {
  /** The name the Sentinels monitor the primary under. */
  public static final String MASTER_NAME = "mymaster";

  static final int DOWN_AFTER_MILLIS = 1_000;
  private static final int FAILOVER_TIMEOUT_MILLIS = 10_000;
  private static final int SENTINELS = 3;
  private static final String[] NO_SYNC_DELAY = {"--repl-diskless-sync-delay", "0"};
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final List<RedisServer> servers;
  private final List<RedisServer> sentinels;

  private RedisSentinelFailoverSetup(List<RedisServer> servers, List<RedisServer> sentinels) {
    this.servers = List.copyOf(servers);
    this.sentinels = List.copyOf(sentinels);
  }

  /**
   * Starts the primary, its replica and three Sentinels, and waits until the replica is in sync and
   * every Sentinel knows the primary, the replica and the other two Sentinels.
   *
   * @throws IllegalStateException if a process does not start or the setup is not ready in time
   */
  public static RedisSentinelFailoverSetup start() {
    List<RedisServer> started = new ArrayList<>();
    try {
      // No delay before a full sync (default 5 s), so a demoted primary catches up at once.
      RedisServer primary = RedisServer.builder().args(NO_SYNC_DELAY).start();
      started.add(primary);
      RedisServer replica =
          RedisServer.builder()
              .args(NO_SYNC_DELAY)
              .args("--replicaof", primary.host(), Integer.toString(primary.port()))
              .start();
      started.add(replica);
      awaitOrFail(() -> linkUp(replica), "the replica " + replica.uri() + " to sync with " + primary.uri());
      String config =
          "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary.port() + " 2\n"
              + "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS + "\n"
              + "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MILLIS + "\n";
      List<RedisServer> sentinels = new ArrayList<>();
      for (int i = 0; i < SENTINELS; i++) {
        RedisServer sentinel = RedisServer.builder().sentinel(config).start();
        started.add(sentinel);
        sentinels.add(sentinel);
      }
      for (RedisServer sentinel : sentinels) {
        awaitOrFail(
            () -> knows(sentinel, "replicas", 1) && knows(sentinel, "sentinels", SENTINELS - 1),
            "sentinel " + sentinel.uri() + " to know the replica and the other sentinels");
      }
      return new RedisSentinelFailoverSetup(List.of(primary, replica), sentinels);
    } catch (RuntimeException e) {
      started.forEach(RedisServer::close);
      throw e;
    }
  }

  /** The Lettuce URI naming all three Sentinels. */
  public String uri() {
    return sentinels.stream()
        .map(sentinel -> sentinel.host() + ":" + sentinel.port())
        .collect(Collectors.joining(",", "redis-sentinel://", "/0#" + MASTER_NAME));
  }

  /** The two data servers: the one started as primary first, then the one started as replica. */
  public List<RedisServer> servers() {
    return servers;
  }

  /** The three Sentinels. */
  public List<RedisServer> sentinels() {
    return sentinels;
  }

  /**
   * The data server the Sentinels name as primary now.
   *
   * @throws IllegalStateException if no Sentinel names one of the two servers
   */
  public RedisServer primary() {
    @Nullable RedisServer primary = reportedPrimary();
    if (primary == null) {
      throw new IllegalStateException("no sentinel names a primary among " + servers);
    }
    return primary;
  }

  /** The data server that is not {@link #primary()}. */
  public RedisServer replica() {
    RedisServer primary = primary();
    return servers.get(0) == primary ? servers.get(1) : servers.get(0);
  }

  /**
   * Asks the Sentinels for a failover ({@code SENTINEL FAILOVER}) and waits until the former
   * replica is primary and answers as one.
   *
   * @return the new primary
   * @throws IllegalStateException if the failover does not complete in time
   */
  public RedisServer failover() {
    RedisServer before = primary();
    String reply = sentinels.get(0).command("SENTINEL", "FAILOVER", MASTER_NAME);
    if (!"OK".equals(reply)) {
      throw new IllegalStateException("SENTINEL FAILOVER replied " + reply);
    }
    return awaitPrimaryOtherThan(before, READY_TIMEOUT);
  }

  /**
   * Waits until every Sentinel names a primary other than {@code previous}, and that server reports
   * the master role.
   *
   * @return the new primary
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  public RedisServer awaitPrimaryOtherThan(RedisServer previous, Duration timeout) {
    RedisServer next = servers.get(0) == previous ? servers.get(1) : servers.get(0);
    boolean promoted =
        Poll.until(
            timeout,
            () ->
                sentinels.stream().allMatch(s -> isRunning(s) && next.port() == reportedPort(s))
                    && "master".equals(role(next)));
    if (!promoted) {
      throw new IllegalStateException(
          "no failover from " + previous.uri() + " to " + next.uri() + " within " + timeout.toMillis() + " ms");
    }
    return next;
  }

  /** Stops the Sentinels, then the data servers, and deletes their directories. Idempotent. */
  @Override
  public void close() {
    sentinels.forEach(RedisServer::close);
    servers.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "RedisSentinelFailoverSetup{" + uri() + ", servers=" + servers + "}";
  }

  private @Nullable RedisServer reportedPrimary() {
    for (RedisServer sentinel : sentinels) {
      if (!isRunning(sentinel)) {
        continue;
      }
      int port = reportedPort(sentinel);
      for (RedisServer server : servers) {
        if (server.port() == port) {
          return server;
        }
      }
    }
    return null;
  }

  private static boolean isRunning(RedisServer server) {
    return Resp.ping(server.port(), Duration.ofMillis(500));
  }

  /** The primary's port a Sentinel reports, or -1. */
  private static int reportedPort(RedisServer sentinel) {
    try {
      Object reply =
          Resp.call(sentinel.port(), Resp.DEFAULT_TIMEOUT, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
      if (reply instanceof List<?> address && address.size() == 2) {
        return Integer.parseInt(String.valueOf(address.get(1)));
      }
    } catch (IOException | NumberFormatException e) {
      // not known (yet)
    }
    return -1;
  }

  private static @Nullable String role(RedisServer server) {
    try {
      String info = Resp.render(Resp.call(server.port(), Resp.DEFAULT_TIMEOUT, "INFO", "replication"));
      if (info != null) {
        for (String line : info.lines().toList()) {
          if (line.startsWith("role:")) {
            return line.substring("role:".length()).strip();
          }
        }
      }
    } catch (IOException e) {
      // unreachable: no role
    }
    return null;
  }

  private static boolean linkUp(RedisServer replica) {
    try {
      String info = Resp.render(Resp.call(replica.port(), Resp.DEFAULT_TIMEOUT, "INFO", "replication"));
      return info != null && info.contains("master_link_status:up");
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the Sentinel lists at least {@code count} entries for {@code what} (replicas, or other Sentinels). */
  private static boolean knows(RedisServer sentinel, String what, int count) {
    try {
      Object reply = Resp.call(sentinel.port(), Resp.DEFAULT_TIMEOUT, "SENTINEL", what, MASTER_NAME);
      return reply instanceof List<?> entries && entries.size() >= count;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitOrFail(java.util.function.BooleanSupplier condition, String what) {
    if (!Poll.until(READY_TIMEOUT, condition)) {
      throw new IllegalStateException("timed out after " + READY_TIMEOUT.toMillis() + " ms waiting for " + what);
    }
  }
}
