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
 * default), the 16384 slots split evenly between them, and optionally replicas of each master
 * ({@link Builder#replicasPerMaster}), so that a killed master is replaced by its replica for real.
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
  private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(10);

  private final List<RedisServer> nodes;
  private final List<RedisServer> replicas;

  private RedisCluster(List<RedisServer> nodes, List<RedisServer> replicas) {
    this.nodes = List.copyOf(nodes);
    this.replicas = List.copyOf(replicas);
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

  /** Returns the nodes started as masters, in slot order: the first node owns slot 0. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * Returns the nodes started as replicas, grouped by master in slot order: with {@code r}
   * replicas per master, replicas {@code i*r} to {@code i*r+r-1} replicate {@code nodes().get(i)}.
   */
  public List<RedisServer> replicas() {
    return replicas;
  }

  /**
   * Waits until {@code replica} reports itself a master owning slots, as after its master was killed
   * and the cluster failed over (after the node timeout, 5 s), every running node sees it as a
   * master, and the cluster is {@code ok} again.
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  public void awaitPromotion(RedisServer replica, Duration timeout) {
    String id = nodeId(replica);
    boolean promoted =
        Poll.until(
            timeout,
            () -> {
              String myself = myselfLine(replica);
              return myself.contains("master") && myself.split(" ").length > 8
                  && clusterInfo(replica).contains("cluster_state:ok")
                  && all().stream().filter(RedisCluster::isUp).allMatch(node -> seesAsMaster(node, id));
            });
    if (!promoted) {
      throw new IllegalStateException(
          replica.uri() + " was not promoted within " + timeout.toMillis() + " ms; it reports: " + myselfLine(replica));
    }
  }

  /**
   * Moves one slot and its keys from the node that owns it to {@code target}, the way {@code
   * redis-cli --cluster reshard} does: IMPORTING/MIGRATING, MIGRATE in batches, then SETSLOT NODE on
   * both and on the other masters. While it runs, clients see {@code ASK} redirects; afterwards
   * {@code MOVED}.
   *
   * <p>It starts once the masters' epochs are settled ({@link #awaitEpochsSettled}) and returns once
   * every running master names {@code target} as the slot's owner, so that migrations in quick
   * succession cannot leave the masters disagreeing about an owner.
   *
   * @return the number of keys moved
   * @throws IllegalArgumentException if {@code target} is not a master of this cluster or the slot is out of range
   * @throws IllegalStateException if a step is refused, or the nodes do not agree within 10 s
   */
  public int migrateSlot(int slot, RedisServer target) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot must be 0 to " + (SLOTS - 1) + ", was " + slot);
    }
    if (!nodes.contains(target) && !replicas.contains(target)) {
      throw new IllegalArgumentException(target.uri() + " is not a node of this cluster");
    }
    awaitEpochsSettled(target, AGREEMENT_TIMEOUT);
    RedisServer source = claimant(slot);
    if (source == target) {
      return 0;
    }
    String sourceId = nodeId(source);
    String targetId = nodeId(target);
    String s = Integer.toString(slot);
    expectOk(target, "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId);
    try {
      return moveKeys(slot, source, target, targetId);
    } catch (RuntimeException e) {
      // A migration that stops halfway leaves the slot importing on one node and migrating on the
      // other, and clients bouncing between them (ASK) for good: put it back as it was.
      target.command("CLUSTER", "SETSLOT", s, "STABLE");
      source.command("CLUSTER", "SETSLOT", s, "STABLE");
      throw e;
    }
  }

  private int moveKeys(int slot, RedisServer source, RedisServer target, String targetId) {
    String s = Integer.toString(slot);
    expectOk(source, "CLUSTER", "SETSLOT", s, "MIGRATING", targetId);
    int moved = 0;
    while (true) {
      Object keys = call(source, "CLUSTER", "GETKEYSINSLOT", s, "100");
      if (!(keys instanceof List<?> batch) || batch.isEmpty()) {
        break;
      }
      List<String> migrate = new ArrayList<>(List.of("MIGRATE", target.host(), Integer.toString(target.port()), "", "0", "5000", "KEYS"));
      batch.forEach(key -> migrate.add(String.valueOf(key)));
      String reply = source.command(migrate.toArray(String[]::new));
      if (!"OK".equals(reply) && !"NOKEY".equals(reply)) {
        throw new IllegalStateException("MIGRATE of slot " + slot + " replied " + reply);
      }
      moved += batch.size();
    }
    expectOk(target, "CLUSTER", "SETSLOT", s, "NODE", targetId);
    expectOk(source, "CLUSTER", "SETSLOT", s, "NODE", targetId);
    for (RedisServer other : nodes) {
      if (other != source && other != target && isUp(other)) {
        other.command("CLUSTER", "SETSLOT", s, "NODE", targetId);
      }
    }
    awaitOwnerAgreed(slot, targetId, AGREEMENT_TIMEOUT);
    return moved;
  }

  /**
   * Waits until the running masters' config epochs are all different and {@code target} knows of
   * the highest. {@code SETSLOT NODE} on the target raises the target's config epoch above the
   * highest the target knows of, unless the target holds it already. With a view only a few
   * milliseconds behind (the previous migration's target just raised its own), the target keeps or
   * takes an epoch no higher than the source's; the source's last heartbeat from before the
   * hand-over, still in flight, then wins the slot back on a third node, whose corrections make
   * source and target each name the other as owner: {@code MOVED} back and forth for good, which
   * only {@code redis-cli --cluster fix} repairs (once in a few hundred back-to-back migrations
   * before this wait). Once this holds, the target ends the migration with the highest epoch.
   */
  private void awaitEpochsSettled(RedisServer target, Duration timeout) {
    if (!Poll.until(timeout, () -> epochsSettled(target))) {
      throw new IllegalStateException(
          "the masters' epochs did not settle within " + timeout.toMillis() + " ms:\n" + views());
    }
  }

  private boolean epochsSettled(RedisServer target) {
    List<Long> epochs = new ArrayList<>();
    for (RedisServer master : nodes) {
      if (isUp(master) && myselfLine(master).contains("master")) {
        epochs.add(infoField(master, "cluster_my_epoch"));
      }
    }
    long highest = epochs.stream().mapToLong(Long::longValue).max().orElse(0);
    return epochs.stream().distinct().count() == epochs.size()
        && infoField(target, "cluster_current_epoch") >= highest;
  }

  private static long infoField(RedisServer node, String field) {
    return clusterInfo(node).lines()
        .filter(line -> line.startsWith(field + ":"))
        .map(line -> Long.parseLong(line.substring(field.length() + 1).trim()))
        .findFirst()
        .orElse(-1L);
  }

  /** Waits until every running master's {@code CLUSTER NODES} gives {@code slot} to {@code ownerId} alone. */
  private void awaitOwnerAgreed(int slot, String ownerId, Duration timeout) {
    boolean agreed =
        Poll.until(
            timeout,
            () ->
                nodes.stream()
                    .filter(RedisCluster::isUp)
                    .allMatch(
                        node ->
                            clusterNodes(node).lines()
                                .filter(line -> claims(line, slot))
                                .map(line -> line.substring(0, line.indexOf(' ')))
                                .toList()
                                .equals(List.of(ownerId))));
    if (!agreed) {
      throw new IllegalStateException(
          "the masters did not agree within " + timeout.toMillis() + " ms that " + ownerId + " owns slot " + slot + ":\n" + views());
    }
  }

  /** Every running node's {@code CLUSTER NODES}, for an error message. */
  private String views() {
    StringBuilder views = new StringBuilder();
    for (RedisServer node : all()) {
      views.append(node.uri()).append(":\n").append(clusterNodes(node)).append('\n');
    }
    return views.toString();
  }

  /**
   * The master that owns {@code slot} by its own account (the slot among its own in {@code CLUSTER
   * NODES}): the node that can start migrating it. Another master's view ({@link #owner}) can lag
   * behind a migration that just finished, and {@code SETSLOT MIGRATING} sent there fails ("I'm
   * not the owner of hash slot"). Falls back to {@link #owner} when no master claims it.
   */
  private RedisServer claimant(int slot) {
    for (RedisServer master : nodes) {
      if (isUp(master) && claims(myselfLine(master), slot)) {
        return master;
      }
    }
    return owner(slot);
  }

  /** Whether a {@code CLUSTER NODES} line lists {@code slot} among the node's own slots. */
  static boolean claims(String line, int slot) {
    List<String> fields = List.of(line.trim().split(" ", -1));
    for (int i = 8; i < fields.size(); i++) {
      String range = fields.get(i);
      if (range.startsWith("[")) {
        continue; // a slot being imported or migrated, not owned
      }
      int dash = range.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
      if (from <= slot && slot <= to) {
        return true;
      }
    }
    return false;
  }

  /** The master that owns {@code slot} now, by CLUSTER SLOTS on a running master. */
  public RedisServer owner(int slot) {
    for (RedisServer asked : nodes) {
      if (!isUp(asked)) {
        continue;
      }
      if (call(asked, "CLUSTER", "SLOTS") instanceof List<?> ranges) {
        for (Object range : ranges) {
          if (range instanceof List<?> r
              && Long.parseLong(String.valueOf(r.get(0))) <= slot
              && slot <= Long.parseLong(String.valueOf(r.get(1)))
              && r.get(2) instanceof List<?> master) {
            int port = Integer.parseInt(String.valueOf(master.get(1)));
            for (RedisServer node : all()) {
              if (node.port() == port || node.tlsPort() == port) {
                return node;
              }
            }
          }
        }
      }
    }
    throw new IllegalStateException("no running node knows the owner of slot " + slot);
  }

  private List<RedisServer> all() {
    List<RedisServer> all = new ArrayList<>(nodes);
    all.addAll(replicas);
    return all;
  }

  private static boolean isUp(RedisServer node) {
    return Resp.ping(node.port(), Duration.ofMillis(500));
  }

  private static @Nullable Object call(RedisServer node, String... args) {
    try {
      return Resp.call(node.port(), Resp.DEFAULT_TIMEOUT, args);
    } catch (IOException e) {
      throw new UncheckedIOException(args[0] + " to " + node.uri() + " failed: " + e.getMessage(), e);
    }
  }

  private static String nodeId(RedisServer node) {
    return Objects.requireNonNull(node.command("CLUSTER", "MYID"), "CLUSTER MYID");
  }

  /** Whether {@code node}'s view of the cluster has the node {@code id} as a master. */
  private static boolean seesAsMaster(RedisServer node, String id) {
    return clusterNodes(node).lines().anyMatch(line -> line.startsWith(id + " ") && line.contains("master"));
  }

  /** The CLUSTER NODES line the node prints for itself ({@code myself} flag), or "". */
  private static String myselfLine(RedisServer node) {
    return clusterNodes(node).lines().filter(line -> line.contains("myself")).findFirst().orElse("");
  }

  /** The node's {@code CLUSTER NODES}, or "" if it cannot be reached. */
  private static String clusterNodes(RedisServer node) {
    try {
      return Objects.requireNonNullElse(Resp.render(Resp.call(node.port(), Resp.DEFAULT_TIMEOUT, "CLUSTER", "NODES")), "");
    } catch (IOException e) {
      return "";
    }
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
   * {@link RedisServer#command} does. {@code ASK} redirects (a slot in the middle of
   * {@link #migrateSlot}) are returned as the error, not followed.
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
    replicas.forEach(RedisServer::close);
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

  /** Introduces each replica to the cluster, makes it replicate its master and waits until it is in sync. */
  private static void attachReplicas(List<RedisServer> masters, List<RedisServer> replicas, int perMaster, Duration timeout) {
    RedisServer seed = masters.get(0);
    for (RedisServer replica : replicas) {
      int port = replica.tlsPort() != 0 ? replica.tlsPort() : replica.port();
      expectOk(seed, "CLUSTER", "MEET", replica.host(), Integer.toString(port));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int total = masters.size() + replicas.size();
    for (int i = 0; i < replicas.size(); i++) {
      RedisServer replica = replicas.get(i);
      String masterId = nodeId(masters.get(i / perMaster));
      // The replica must know its master before it may replicate it.
      Poll.until(remaining(deadline), () -> clusterInfo(replica).contains("cluster_known_nodes:" + total));
      expectOk(replica, "CLUSTER", "REPLICATE", masterId);
    }
    for (RedisServer replica : replicas) {
      boolean synced =
          Poll.until(
              remaining(deadline),
              () -> {
                try {
                  String info = Resp.render(Resp.call(replica.port(), Resp.DEFAULT_TIMEOUT, "INFO", "replication"));
                  return info != null && info.contains("master_link_status:up")
                      && clusterInfo(replica).contains("cluster_state:ok");
                } catch (IOException e) {
                  return false;
                }
              });
      if (!synced) {
        throw new IllegalStateException(
            "replica " + replica.uri() + " did not sync within " + timeout.toMillis() + " ms; it reports: " + myselfLine(replica));
      }
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
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
          String.join(" ", args) + " on " + node.uri() + " replied " + reply);
    }
  }

  /**
   * Configures and starts a {@link RedisCluster}. Not thread-safe; use each builder from one
   * thread.
   */
  public static final class Builder {
    private int masters = DEFAULT_MASTERS;
    private int replicasPerMaster;
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
     * Sets the number of replicas of each master (0, the default, to 2).
     *
     * @return this builder
     * @throws IllegalArgumentException outside 0 to 2
     */
    public Builder replicasPerMaster(int replicas) {
      if (replicas < 0 || replicas > 2) {
        throw new IllegalArgumentException("replicasPerMaster must be 0 to 2, was " + replicas);
      }
      this.replicasPerMaster = replicas;
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
      List<RedisServer> replicas = new ArrayList<>();
      try {
        for (int i = 0; i < masters; i++) {
          nodes.add(startNode());
        }
        create(nodes, startupTimeout);
        for (int i = 0; i < masters * replicasPerMaster; i++) {
          replicas.add(startNode());
        }
        if (!replicas.isEmpty()) {
          attachReplicas(nodes, replicas, replicasPerMaster, startupTimeout);
        }
        return new RedisCluster(nodes, replicas);
      } catch (RuntimeException e) {
        replicas.forEach(RedisServer::close);
        nodes.forEach(RedisServer::close);
        throw e;
      }
    }

    private RedisServer startNode() {
      RedisServer.Builder node = RedisServer.builder().clusterNode();
      if (tls != null) {
        node.tls(tls).args("--tls-cluster", "yes");
      }
      // No delay before a full sync (default 5 s): a replica is in sync as soon as it attaches.
      return node.args("--repl-diskless-sync-delay", "0").args(args.toArray(String[]::new)).start();
    }
  }
}
