package io.tierstate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A Redis Cluster of real {@code redis-server} processes on free loopback ports: N masters (3 by
 * default), no replicas, the 16384 slots split evenly between them.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.start()) {
 *   String uri = cluster.uri();   // "redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
 *   cluster.command("SET", "k", "v");
 * }
 * }</pre>
 *
 * <p>The cluster is created over RESP (CLUSTER ADDSLOTS, SET-CONFIG-EPOCH, MEET), so {@code
 * redis-cli} is not needed, and {@link #start()} returns once every node reports {@code
 * cluster_state:ok}. Nodes run with {@code --cluster-node-timeout 5000}. Each node is a {@link
 * RedisServer} that can be killed, paused and restarted on its port: it keeps its {@code
 * nodes.conf}, so a restarted node rejoins the cluster with its slots, but without its data.
 *
 * <p>Thread-safe.
 */
public final class RedisCluster implements AutoCloseable {
  /** The number of masters {@link #start()} creates. */
  public static final int DEFAULT_MASTERS = 3;

  /** How long {@link Builder#start()} waits for {@code cluster_state:ok} by default. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

  private static final int SLOTS = 16_384;
  private static final int MAX_REDIRECTS = 5;

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts a cluster of {@value #DEFAULT_MASTERS} masters.
   *
   * @throws IllegalStateException if a node does not start or the cluster does not reach {@code
   *     cluster_state:ok} in time
   */
  public static RedisCluster start() {
    return builder().start();
  }

  /** Returns a builder for a cluster with another number of masters or extra arguments. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the nodes, in slot order: the first node owns slot 0. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Returns one {@code redis://127.0.0.1:PORT} URI per node, in slot order. */
  public List<String> nodeUris() {
    return nodes.stream().map(RedisServer::uri).toList();
  }

  /**
   * Returns the seed nodes as one URI, {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}.
   */
  public String uri() {
    return nodes.stream()
        .map(node -> node.host() + ":" + node.port())
        .collect(Collectors.joining(",", "redis-cluster://", ""));
  }

  /**
   * Returns the seed nodes' TLS ports as one URI, {@code rediss-cluster://127.0.0.1:t1,...}; the
   * nodes' certificate names {@code 127.0.0.1}, the address the cluster announces.
   *
   * @throws IllegalStateException if the cluster was not built with {@link Builder#tls}
   */
  public String tlsUri() {
    if (nodes.get(0).tlsPort() == 0) {
      throw new IllegalStateException("this cluster has no TLS; build it with tls(...)");
    }
    return nodes.stream()
        .map(node -> "127.0.0.1:" + node.tlsPort())
        .collect(Collectors.joining(",", "rediss-cluster://", ""));
  }

  /**
   * Sends one command to the cluster, following {@code MOVED} redirects, and renders the reply as
   * {@link RedisServer#command} does. {@code ASK} redirects (slots being migrated) are not
   * followed: the testkit never migrates slots.
   *
   * @param args the command and its arguments; the command must concern keys of one slot
   * @return the rendered reply, or {@code null} for a nil reply
   * @throws IllegalArgumentException if {@code args} is empty
   * @throws UncheckedIOException if a node cannot be reached or does not reply within 5 s
   */
  public @Nullable String command(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("command requires at least the command name");
    }
    int port = nodes.get(0).port();
    for (int redirects = 0; ; redirects++) {
      Object reply;
      try {
        reply = Resp.call(port, Resp.DEFAULT_TIMEOUT, args);
      } catch (IOException e) {
        throw new UncheckedIOException(
            args[0] + " to 127.0.0.1:" + port + " failed: " + e.getMessage(), e);
      }
      if (reply instanceof Resp.ErrorReply error
          && error.message().startsWith("MOVED ")
          && redirects < MAX_REDIRECTS) {
        // "MOVED <slot> <host>:<port>"
        String target = error.message().substring(error.message().lastIndexOf(' ') + 1);
        port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        continue;
      }
      return Resp.render(reply);
    }
  }

  /**
   * Deletes every key on every node.
   *
   * @throws IllegalStateException if a node does not reply OK
   * @throws UncheckedIOException if a node cannot be reached
   */
  public void flushAll() {
    nodes.forEach(RedisServer::flushAll);
  }

  /** Stops every node and deletes their directories. Idempotent. */
  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "RedisCluster{" + uri() + "}";
  }

  private static void create(List<RedisServer> nodes, Duration timeout) {
    int count = nodes.size();
    for (int i = 0; i < count; i++) {
      int first = i * SLOTS / count;
      int last = (i + 1) * SLOTS / count - 1;
      // ADDSLOTS rather than ADDSLOTSRANGE, which needs Redis 7 (the embedded binary is 6.2).
      List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = first; slot <= last; slot++) {
        addSlots.add(Integer.toString(slot));
      }
      expectOk(nodes.get(i), addSlots.toArray(String[]::new));
      // Distinct epochs up front, as redis-cli does, so no epoch collision has to be resolved.
      expectOk(nodes.get(i), "CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
    }
    RedisServer seed = nodes.get(0);
    for (RedisServer node : nodes.subList(1, count)) {
      // MEET names the port the cluster bus derives from: the TLS one with tls-cluster.
      int port = node.tlsPort() != 0 ? node.tlsPort() : node.port();
      expectOk(seed, "CLUSTER", "MEET", node.host(), Integer.toString(port));
    }
    String expectedNodes = "cluster_known_nodes:" + count;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (RedisServer node : nodes) {
      boolean ok =
          Poll.until(
              Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
              () -> {
                String info = clusterInfo(node);
                return info.contains("cluster_state:ok") && info.contains(expectedNodes);
              });
      if (!ok) {
        throw new IllegalStateException(
            "cluster did not reach cluster_state:ok with "
                + count
                + " nodes within "
                + timeout.toMillis()
                + " ms; CLUSTER INFO on "
                + node.uri()
                + ":\n"
                + clusterInfo(node));
      }
    }
  }

  private static String clusterInfo(RedisServer node) {
    try {
      return Objects.requireNonNullElse(
          Resp.render(Resp.call(node.port(), Resp.DEFAULT_TIMEOUT, "CLUSTER", "INFO")), "");
    } catch (IOException e) {
      return "unreachable: " + e;
    }
  }

  private static void expectOk(RedisServer node, String... args) {
    String reply = node.command(args);
    if (!"OK".equals(reply)) {
      throw new IllegalStateException(
          args[0] + " " + args[1] + " on " + node.uri() + " replied " + reply);
    }
  }

  /**
   * Configures and starts a {@link RedisCluster}. Not thread-safe; use each builder from one
   * thread.
   */
  public static final class Builder {
    private int masters = DEFAULT_MASTERS;
    private final List<String> args = new ArrayList<>();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private @Nullable TlsCertificates tls;

    private Builder() {}

    /**
     * Also serves TLS on every node ({@link RedisServer.Builder#tls}), with the cluster bus over TLS
     * too ({@code tls-cluster yes}), so that a TLS client is told the nodes' TLS ports ({@link
     * RedisCluster#tlsUri()}).
     *
     * @return this builder
     */
    public Builder tls(TlsCertificates certificates) {
      this.tls = Objects.requireNonNull(certificates, "certificates");
      return this;
    }

    /**
     * Sets the number of masters; the default is {@value RedisCluster#DEFAULT_MASTERS}.
     *
     * @param masters at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code masters} is less than 1
     */
    public Builder masters(int masters) {
      if (masters < 1) {
        throw new IllegalArgumentException("masters must be at least 1, was " + masters);
      }
      this.masters = masters;
      return this;
    }

    /**
     * Adds {@code redis-server} arguments for every node, as {@link RedisServer.Builder#args}.
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
     * Sets how long to wait for {@code cluster_state:ok}; the default is {@link
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

    /**
     * Starts the nodes, creates the cluster and waits until every node reports {@code
     * cluster_state:ok}.
     *
     * @return the running cluster; close it when done
     * @throws IllegalStateException if a node does not start or the cluster does not form in time
     */
    public RedisCluster start() {
      List<RedisServer> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < masters; i++) {
          RedisServer.Builder node = RedisServer.builder().clusterNode();
          if (tls != null) {
            node.tls(tls).args("--tls-cluster", "yes");
          }
          nodes.add(node.args(args.toArray(String[]::new)).start());
        }
        create(nodes, startupTimeout);
        return new RedisCluster(nodes);
      } catch (RuntimeException e) {
        nodes.forEach(RedisServer::close);
        throw e;
      }
    }
  }
}
