package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.lock.LockHandle;
import io.tierstate.pubsub.Subscription;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.session.NewSession;
import io.tierstate.testing.Await;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelSetup;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The same cache and primitives behaviour on Redis Cluster and behind Sentinel, configured by
 * REDIS_URL.
 */
class DeploymentsIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));

  private static Tierstate node(String url, String nodeId) {
    Map<String, String> env = new HashMap<>();
    env.put("REDIS_URL", url);
    env.put("REDIS_REQUIRED", "true");
    env.put("TIERSTATE_NODE_ID", nodeId);
    env.put("TIERSTATE_NAMESPACE", "deploy");
    Tierstate node = Tierstate.create(TierstateConfig.fromEnv(env));
    Await.until(nodeId + " reads the log", node::invalidationsFlowing);
    return node;
  }

  @Test
  void cluster() {
    try (RedisCluster cluster = RedisCluster.start()) {
      exercise(cluster.uri(), key -> cluster.command("EXISTS", "deploy:{" + key + "}"));
    }
  }

  @Test
  void sentinel() {
    try (RedisSentinelSetup sentinel = RedisSentinelSetup.start()) {
      exercise(sentinel.uri(), key -> sentinel.master().command("EXISTS", "deploy:{" + key + "}"));
    }
  }

  private static void exercise(String url, Function<String, String> existsInRedis) {
    try (Tierstate a = node(url, "a");
        Tierstate b = node(url, "b")) {
      // writes and reads spread over many hash slots
      Map<String, String> many = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        many.put("item:" + i, "v" + i);
      }
      a.cache().setAll(many, MINUTE.tags("items"));
      assertThat(b.cache().getAll(List.copyOf(many.keySet()), String.class)).isEqualTo(many);
      assertThat(existsInRedis.apply("item:7")).isEqualTo("1");

      // coherence across nodes
      a.cache().set("item:1", "changed", MINUTE);
      Await.until(
          "b sees the change",
          () -> b.cache().get("item:1", String.class).orElse("").equals("changed"));

      // one loader across nodes
      AtomicInteger loads = new AtomicInteger();
      CacheLoader<String> loader = () -> "loaded-" + loads.incrementAndGet();
      assertThat(a.cache().getOrLoad("lazy", String.class, loader, MINUTE)).isEqualTo("loaded-1");
      assertThat(b.cache().getOrLoad("lazy", String.class, loader, MINUTE)).isEqualTo("loaded-1");

      // tag and pattern invalidation reach every slot and every node
      // (item:1 stays in the tag's set though it was rewritten untagged: tags over-invalidate,
      // never under)
      assertThat(a.cache().invalidateTags("items")).isEqualTo(40);
      Await.until("b drops tagged items", () -> b.cache().get("item:2", String.class).isEmpty());
      a.cache().set("item:99", "late", MINUTE);
      assertThat(b.cache().get("item:99", String.class)).contains("late");
      assertThat(a.invalidator().invalidatePattern("item:*")).isEqualTo(1);
      Await.until("b drops item:99", () -> b.cache().get("item:99", String.class).isEmpty());
      assertThat(existsInRedis.apply("item:99")).isEqualTo("0");

      primitives(a, b);
    }
  }

  /** Sessions, locks, rate limits, write-behind and pub/sub: every multi-key script on one slot. */
  private static void primitives(Tierstate a, Tierstate b) {
    // sessions: the device limit, rotation, listing and deletion run as scripts on the user's slot
    NewSession login =
        NewSession.builder("acme", "u1").roles(Set.of("member")).maxDevices(2).build();
    String first = a.sessions().create(login).id();
    String second = b.sessions().create(login).id();
    String third = a.sessions().create(login).id();
    assertThat(b.sessions().get(first)).as("the oldest device is evicted").isEmpty();
    assertThat(b.sessions().getUserSessions("acme", "u1")).hasSize(2);
    String rotated = b.sessions().rotate(second).orElseThrow();
    assertThat(a.sessions().get(second)).isEmpty();
    assertThat(a.sessions().get(rotated).orElseThrow().userId()).isEqualTo("u1");
    assertThat(a.sessions().countTenantSessions("acme")).isEqualTo(2);
    assertThat(b.sessions().deleteUserSessions("acme", "u1")).isEqualTo(2);
    assertThat(a.sessions().get(third)).isEmpty();

    // locks: exclusion and increasing fencing tokens across nodes
    long token;
    try (LockHandle held =
        a.locks().acquire("report", Duration.ofSeconds(10), Duration.ofSeconds(1))) {
      token = held.fencingToken();
      assertThat(b.locks().tryAcquire("report", Duration.ofSeconds(10))).isEmpty();
    }
    try (LockHandle next =
        b.locks().acquire("report", Duration.ofSeconds(10), Duration.ofSeconds(1))) {
      assertThat(next.fencingToken()).isGreaterThan(token);
    }

    // every rate-limit algorithm decides in Redis, shared by both nodes
    for (RateLimitPolicy policy :
        List.of(
            RateLimitPolicy.fixedWindow(3, Duration.ofMinutes(1)),
            RateLimitPolicy.slidingLog(3, Duration.ofMinutes(1)),
            RateLimitPolicy.slidingWindow(3, Duration.ofMinutes(1)),
            RateLimitPolicy.tokenBucket(3, 0.01),
            RateLimitPolicy.leakyBucket(3, 0.01))) {
      String who = "client:" + policy.name();
      assertThat(a.rateLimiter().limit(who, policy).allowed()).as(policy.name()).isTrue();
      assertThat(b.rateLimiter().limit(who, policy, 2).allowed()).as(policy.name()).isTrue();
      RateLimitResult over = a.rateLimiter().limit(who, policy);
      assertThat(over.denied()).as(policy.name()).isTrue();
      assertThat(over.source()).isEqualTo(RateLimitResult.Source.REDIS);
    }

    // write-behind: the stream and its records share one slot
    Map<String, String> delivered = new ConcurrentHashMap<>();
    WriteBehind<String> orders =
        a.writeBehind("orders", String.class, delivered::putAll, WriteBehindOptions.defaults());
    orders.write("order:1", "one", MINUTE);
    orders.write("order:1", "one-again", MINUTE);
    orders.flush();
    assertThat(delivered).containsExactly(Map.entry("order:1", "one-again"));

    // pub/sub across nodes
    List<String> heard = new CopyOnWriteArrayList<>();
    Subscription subscription = b.pubsub().subscribe("team:1", String.class, heard::add);
    try {
      Await.until(
          "b hears a's message",
          () -> {
            a.pubsub().publish("team:1", "hello");
            return heard.contains("hello");
          });
    } finally {
      subscription.close();
    }
  }
}
