package io.tierstate.cache;

import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelSetup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The same cache behaviour on Redis Cluster and behind Sentinel, configured by REDIS_URL. */
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
    try (Tierstate a = node(url, "a"); Tierstate b = node(url, "b")) {
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
      Await.until("b sees the change", () -> b.cache().get("item:1", String.class).orElse("").equals("changed"));

      // one loader across nodes
      AtomicInteger loads = new AtomicInteger();
      CacheLoader<String> loader = () -> "loaded-" + loads.incrementAndGet();
      assertThat(a.cache().getOrLoad("lazy", String.class, loader, MINUTE)).isEqualTo("loaded-1");
      assertThat(b.cache().getOrLoad("lazy", String.class, loader, MINUTE)).isEqualTo("loaded-1");

      // tag and pattern invalidation reach every slot and every node
      // (item:1 stays in the tag's set though it was rewritten untagged: tags over-invalidate, never under)
      assertThat(a.cache().invalidateTags("items")).isEqualTo(40);
      Await.until("b drops tagged items", () -> b.cache().get("item:2", String.class).isEmpty());
      a.cache().set("item:99", "late", MINUTE);
      assertThat(b.cache().get("item:99", String.class)).contains("late");
      assertThat(a.invalidator().invalidatePattern("item:*")).isEqualTo(1);
      Await.until("b drops item:99", () -> b.cache().get("item:99", String.class).isEmpty());
      assertThat(existsInRedis.apply("item:99")).isEqualTo("0");
    }
  }
}
