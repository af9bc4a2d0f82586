package io.tierstate.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Redis master and one Sentinel monitoring it as {@value #MASTER_NAME} (quorum 1), each a real
 * {@code redis-server} process on a free loopback port.
 *
 * <pre>{@code
 * try (RedisSentinelSetup setup = RedisSentinelSetup.start()) {
 *   String uri = setup.uri();   // "redis-sentinel://127.0.0.1:26379/0#mymaster", for Lettuce
 * }
 * }</pre>
 *
 * <p>There is no replica, so the Sentinel never fails over: killing the master makes it
 * unavailable until {@link RedisServer#restart()} brings it back, empty, on the same port, which
 * the Sentinel keeps pointing at.
 *
 * <p>Thread-safe.
 */
public final class RedisSentinelSetup implements AutoCloseable {
  /** The name the Sentinel monitors the master under. */
  public static final String MASTER_NAME = "mymaster";

  private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(10);

  private final RedisServer master;
  private final RedisServer sentinel;

  private RedisSentinelSetup(RedisServer master, RedisServer sentinel) {
    this.master = master;
    this.sentinel = sentinel;
  }

  /**
   * Starts the master, then the Sentinel, and waits until the Sentinel reports the master's address
   * for {@value #MASTER_NAME}.
   *
   * @return the running setup; close it when done
   * @throws IllegalStateException if a process does not start or the Sentinel does not report the
   *     master in time
   */
  public static RedisSentinelSetup start() {
    return start(null);
  }

  /**
   * Like {@link #start()}, with both servers also serving TLS ({@link RedisServer.Builder#tls}):
   * the Sentinel monitors the master over TLS and names its TLS port, so that a TLS client
   * ({@link #tlsUri()}) is sent to the master's TLS port.
   *
   * @throws IllegalStateException as {@link #start()}
   */
  public static RedisSentinelSetup startWithTls(TlsCertificates certificates) {
    return start(Objects.requireNonNull(certificates, "certificates"));
  }

  private static RedisSentinelSetup start(@Nullable TlsCertificates tls) {
    RedisServer master = tls == null ? RedisServer.start() : RedisServer.builder().tls(tls).start();
    int monitoredPort = tls == null ? master.port() : master.tlsPort();
    @Nullable RedisServer sentinel = null;
    try {
      RedisServer.Builder builder = RedisServer.builder()
          .sentinel("sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + monitoredPort + " 1\n");
      if (tls != null) {
        builder.tls(tls).args("--tls-replication", "yes"); // the Sentinel's links to the master use TLS
      }
      sentinel = builder.start();
      RedisServer started = sentinel;
      List<String> expected = List.of(master.host(), Integer.toString(monitoredPort));
      if (!Poll.until(DISCOVERY_TIMEOUT, () -> expected.equals(masterAddress(started)))) {
        throw new IllegalStateException(
            "sentinel on "
                + started.uri()
                + " did not report "
                + MASTER_NAME
                + " at "
                + master.uri()
                + " within "
                + DISCOVERY_TIMEOUT.toMillis()
                + " ms; it reports "
                + masterAddress(started));
      }
      return new RedisSentinelSetup(master, sentinel);
    } catch (RuntimeException e) {
      if (sentinel != null) {
        sentinel.close();
      }
      master.close();
      throw e;
    }
  }

  /** Returns the monitored master. */
  public RedisServer master() {
    return master;
  }

  /**
   * Returns the Sentinel process; it answers Sentinel commands such as {@code SENTINEL masters}, not
   * data commands.
   */
  public RedisServer sentinel() {
    return sentinel;
  }

  /** Returns the master's port. */
  public int masterPort() {
    return master.port();
  }

  /** Returns the Sentinel's port. */
  public int sentinelPort() {
    return sentinel.port();
  }

  /** Returns the name the master is monitored under, {@value #MASTER_NAME}. */
  public String masterName() {
    return MASTER_NAME;
  }

  /**
   * Returns a Lettuce Sentinel URI for this setup, {@code
   * redis-sentinel://127.0.0.1:SENTINEL_PORT/0#mymaster}.
   */
  public String uri() {
    return "redis-sentinel://" + sentinel.host() + ":" + sentinel.port() + "/0#" + MASTER_NAME;
  }

  /**
   * The Sentinel's TLS address, {@code rediss-sentinel://127.0.0.1:PORT/0#mymaster}.
   *
   * @throws IllegalStateException if the setup was not started with {@link #startWithTls}
   */
  public String tlsUri() {
    if (sentinel.tlsPort() == 0) {
      throw new IllegalStateException("this Sentinel setup has no TLS; start it with startWithTls(...)");
    }
    return "rediss-sentinel://127.0.0.1:" + sentinel.tlsPort() + "/0#" + MASTER_NAME;
  }

  /** Stops the Sentinel and the master and deletes their directories. Idempotent. */
  @Override
  public void close() {
    sentinel.close();
    master.close();
  }

  @Override
  public String toString() {
    return "RedisSentinelSetup{" + uri() + ", master=" + master.uri() + "}";
  }

  /** The address the Sentinel reports for the master, as [host, port], or an empty list. */
  private static List<?> masterAddress(RedisServer sentinel) {
    try {
      Object reply =
          Resp.call(
              sentinel.port(),
              Resp.DEFAULT_TIMEOUT,
              "SENTINEL",
              "get-master-addr-by-name",
              MASTER_NAME);
      return reply instanceof List<?> address ? address : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }
}
