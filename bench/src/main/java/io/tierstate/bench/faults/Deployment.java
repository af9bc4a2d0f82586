package io.tierstate.bench.faults;

import io.tierstate.testkit.FaultProxy;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelFailoverSetup;
import io.tierstate.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What one fault runs against: the Redis deployment of its {@link Topology}, two nodes, and the
 * shared source of truth. Closing it stops the nodes, then Redis (PostgreSQL outlives it).
 */
final class Deployment implements AutoCloseable {
  static final int NODES = 2;

  final Topology topology;
  final SourceOfTruth db;
  private final @Nullable RedisServer redis;
  private final List<FaultProxy> proxies;
  private final @Nullable RedisSentinelFailoverSetup sentinel;
  private final @Nullable RedisCluster cluster;
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
  final String namespace = "f" + UUID.randomUUID().toString().substring(0, 8);

  private Deployment(
      Topology topology,
      SourceOfTruth db,
      @Nullable RedisServer redis,
      List<FaultProxy> proxies,
      @Nullable RedisSentinelFailoverSetup sentinel,
      @Nullable RedisCluster cluster) {
    this.topology = topology;
    this.db = db;
    this.redis = redis;
    this.proxies = List.copyOf(proxies);
    this.sentinel = sentinel;
    this.cluster = cluster;
  }

  /** Starts Redis in {@code topology} and two nodes on it. */
  static Deployment start(Topology topology, SourceOfTruth db) {
    Deployment d =
        switch (topology) {
          case STANDALONE -> {
            RedisServer redis = RedisServer.start();
            List<FaultProxy> proxies = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
              proxies.add(FaultProxy.to(redis.host(), redis.port()));
            }
            yield new Deployment(topology, db, redis, proxies, null, null);
          }
          case SENTINEL ->
              new Deployment(topology, db, null, List.of(), RedisSentinelFailoverSetup.start(), null);
          case CLUSTER ->
              new Deployment(
                  topology, db, null, List.of(),
                  null, RedisCluster.builder().masters(3).replicasPerMaster(1).start());
        };
    try {
      for (int i = 0; i < NODES; i++) {
        d.nodes.add(Node.start(i, d.redisUrl(i), d.namespace, db));
      }
      return d;
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** The URL node {@code i} connects to. */
  private String redisUrl(int i) {
    return switch (topology) {
      case STANDALONE -> proxies.get(i).redisUri();
      case SENTINEL -> sentinel().uri();
      case CLUSTER -> cluster().uri();
    };
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  RedisServer redis() {
    return require(redis, "a standalone Redis");
  }

  FaultProxy proxy(int node) {
    if (proxies.isEmpty()) {
      throw new IllegalStateException(topology + " has no fault proxies");
    }
    return proxies.get(node);
  }

  List<FaultProxy> proxies() {
    return proxies;
  }

  RedisSentinelFailoverSetup sentinel() {
    return require(sentinel, "a Sentinel setup");
  }

  RedisCluster cluster() {
    return require(cluster, "a Redis Cluster");
  }

  /** Records a fact about the run for the report (how many slots moved, for example). */
  void note(String note) {
    notes.add(note);
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * Entries in the write-behind's dead-letter stream (writes that failed every retry), or -1 if
   * Redis cannot tell.
   */
  long deadLetters() {
    String[] xlen = {"XLEN", namespace + ":wb:{events}:dead"};
    try {
      String reply =
          switch (topology) {
            case STANDALONE -> redis().command(xlen);
            case SENTINEL -> sentinel().primary().command(xlen);
            case CLUSTER -> cluster().command(xlen);
          };
      return reply == null ? -1 : Long.parseLong(reply);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private <T> T require(@Nullable T part, String what) {
    if (part == null) {
      throw new IllegalStateException("the " + topology + " deployment has no " + what);
    }
    return part;
  }

  @Override
  public void close() {
    nodes.forEach(Node::close);
    proxies.forEach(FaultProxy::close);
    if (redis != null) {
      redis.close();
    }
    if (sentinel != null) {
      sentinel.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
