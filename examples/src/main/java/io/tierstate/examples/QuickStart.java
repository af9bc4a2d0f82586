package io.tierstate.examples;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MetricsSnapshot;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The project's runnable example: two nodes share Redis, cache, invalidate each other's L1, and
 * print their metrics. Uses {@code REDIS_URL} when set; otherwise starts a real Redis server of
 * its own on a free port (the system {@code redis-server}, else the embedded-redis binary).
 *
 * <p>Run: {@code mvn -q -pl examples -am install -DskipTests && mvn -q -pl examples exec:java}
 */
public final class QuickStart {
  /** A row of the source of truth. */
  record User(String id, String name, List<String> permissions) {}

  private QuickStart() {}

  /** Runs the example. */
  public static void main(String[] args) {
    @Nullable RedisServer embedded = null;
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    if (env.getOrDefault("REDIS_URL", "").isEmpty()) {
      embedded = RedisServer.start();
      env.put("REDIS_URL", embedded.uri());
      System.out.println("REDIS_URL not set: started " + embedded.binary() + " at " + embedded.uri());
    }
    try {
      run(TierstateConfig.fromEnv(env));
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void run(TierstateConfig base) {
    AtomicInteger databaseReads = new AtomicInteger();
    try (Tierstate nodeA = Tierstate.create(base.toBuilder().nodeId("node-a").build());
        Tierstate nodeB = Tierstate.create(base.toBuilder().nodeId("node-b").build())) {
      TieredCache a = nodeA.cache();
      TieredCache b = nodeB.cache();
      String key = CacheKeys.tenant("acme").user("u1").field("permissions");
      CacheOptions options = CacheOptions.ttl(Duration.ofMinutes(5)).tags("tenant:acme:users")
          .staleWhileRevalidate(Duration.ofSeconds(30));

      User loaded = a.getOrLoad(key, User.class, () -> {
        databaseReads.incrementAndGet();
        return new User("u1", "Alice", List.of("tickets:read", "tickets:write"));
      }, options);
      System.out.println("node-a loaded " + key + " -> " + loaded);

      User seenByB = b.getOrLoad(key, User.class, () -> {
        databaseReads.incrementAndGet();
        throw new IllegalStateException("node-b must not reach the database: the value is in Redis");
      }, options);
      System.out.println("node-b read it from Redis  -> " + seenByB);
      for (int i = 0; i < 1_000; i++) {
        b.get(key, User.class);
      }
      System.out.println("node-b served 1000 more reads from its L1");

      nodeB.invalidator().onInvalidation(event -> System.out.println("node-b heard: " + event));
      a.set(key, new User("u1", "Alice", List.of("tickets:read")), options);
      waitUntil(() -> b.get(key, User.class).map(u -> u.permissions().size() == 1).orElse(false));
      System.out.println("node-a changed it; node-b now sees " + b.get(key, User.class).orElseThrow());

      long removed = nodeA.invalidator().invalidateTags("tenant:acme:users");
      waitUntil(() -> b.get(key, User.class).isEmpty());
      System.out.println("invalidated tag tenant:acme:users (" + removed + " key) on every node");
      System.out.println("database reads: " + databaseReads.get());

      print("node-a", nodeA.metrics().snapshot());
      print("node-b", nodeB.metrics().snapshot());
    }
  }

  private static void print(String node, MetricsSnapshot m) {
    System.out.printf("%s metrics: hit rate %.3f (L1 %.3f, L2 %.3f), L1 hits %d, L2 hits %d, loads %d, errors %d%n",
        node, m.hitRate(), m.l1HitRate(), m.l2HitRate(), m.l1Hits(), m.l2Hits(), m.loads(), m.errors());
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the other node did not see the change within 5 s");
      }
      Thread.onSpinWait();
    }
  }
}
