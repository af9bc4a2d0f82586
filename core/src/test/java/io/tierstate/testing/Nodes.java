package io.tierstate.testing;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Service nodes for integration tests: each a {@link Tierstate} with its own connections and L1,
 * sharing one real Redis and a namespace of the test's own.
 */
public final class Nodes implements AutoCloseable {
  private static volatile RedisServer shared;

  private final RedisServer redis;
  private final String namespace;
  private final List<Tierstate> started = new ArrayList<>();

  public Nodes(RedisServer redis) {
    this.redis = redis;
    this.namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** One Redis server for every test class that does not stop or restart it. */
  public static synchronized RedisServer sharedRedis() {
    if (shared == null) {
      shared = RedisServer.start();
    }
    return shared;
  }

  public static Nodes onSharedRedis() {
    return new Nodes(sharedRedis());
  }

  public RedisServer redis() {
    return redis;
  }

  public String namespace() {
    return namespace;
  }

  public TierstateConfig.Builder config(String nodeId) {
    return TierstateConfig.builder()
        .redisUrl(redis.uri())
        .namespace(namespace)
        .nodeId(nodeId)
        .commandTimeout(Duration.ofMillis(500))
        .breakerOpenDuration(Duration.ofMillis(200));
  }

  public Tierstate start(String nodeId) {
    return start(nodeId, builder -> builder);
  }

  public Tierstate start(String nodeId, UnaryOperator<TierstateConfig.Builder> customize) {
    Tierstate node = Tierstate.create(customize.apply(config(nodeId)).build());
    synchronized (started) {
      started.add(node);
    }
    Await.until("node " + nodeId + " reads the invalidation log", node::invalidationsFlowing);
    return node;
  }

  @Override
  public void close() {
    synchronized (started) {
      for (Tierstate node : started) {
        node.close();
      }
      started.clear();
    }
  }
}
