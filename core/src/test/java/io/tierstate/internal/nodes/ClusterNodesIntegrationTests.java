package io.tierstate.internal.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.HotKey;
import io.tierstate.internal.redis.CircuitBreaker;
import io.tierstate.internal.redis.RedisConnector;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.nodes.ClusterNode;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.FaultProxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Nodes announce themselves in a real Redis, and see each other come and go. */
class ClusterNodesIntegrationTests {
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Tierstate start(String id) {
    return nodes.start(id, b -> b.nodeHeartbeat(HEARTBEAT));
  }

  private static Optional<ClusterNode> find(Tierstate lister, String id) {
    return lister.nodes().list().stream().filter(n -> n.id().equals(id)).findFirst();
  }

  private static boolean listed(Tierstate lister, String id, ClusterNode.Status status) {
    return find(lister, id).map(n -> n.status() == status).orElse(false);
  }

  @Test
  void twoNodesListEachOtherLiveWithWhatTheDashboardShows() {
    Tierstate a = start("a");
    Tierstate b = start("b");
    a.cache().set("k1", "v1", CacheOptions.ttl(Duration.ofMinutes(1)));
    a.cache().set("k2", "v2", CacheOptions.ttl(Duration.ofMinutes(1)));

    Await.until(
        "b lists a live with its two L1 entries",
        () ->
            find(b, "a")
                .map(n -> n.status() == ClusterNode.Status.LIVE && n.l1Size() == 2)
                .orElse(false));
    Await.until("a lists b live", () -> listed(a, "b", ClusterNode.Status.LIVE));

    ClusterNode seen = find(b, "a").orElseThrow();
    assertThat(seen.host()).isNotBlank();
    assertThat(seen.version()).isNotBlank().doesNotContain("${");
    assertThat(seen.heartbeatInterval()).isEqualTo(HEARTBEAT);
    assertThat(seen.startedAt()).isBefore(seen.lastHeartbeat().plusMillis(1));
    assertThat(seen.uptime()).isPositive();
    assertThat(a.nodes().list()).extracting(ClusterNode::id).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aNodeMeasuresHowLongOtherNodesInvalidationsTookToReachItAndAnnouncesIt() {
    Tierstate a = start("a");
    Tierstate b = start("b");
    // Redis learns the write scripts first: a write whose script it does not know yet (the first on
    // a fresh server) is logged twice, by design (guarantee 1), and would count twice.
    a.cache().set("warm", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    a.cache().delete("warm");
    long logged = Long.parseLong(nodes.redis().command("XLEN", nodes.namespace() + ":log"));
    Await.until("b read a's warm-up entries", () -> lagCount(b) == logged);
    assertThat(lagCount(a)).as("a node's own entries are no propagation").isZero();

    a.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    b.cache().set("other", "x", CacheOptions.ttl(Duration.ofMinutes(1)));
    Await.until("a read b's entry", () -> lagCount(a) == 1);
    Await.until("b read a's entry", () -> lagCount(b) == logged + 1);

    b.cache().set("k", "w", CacheOptions.ttl(Duration.ofMinutes(1)));

    Await.until("a read b's second entry", () -> lagCount(a) == 2);
    assertThat(lagCount(b)).as("a node's own entries are no propagation").isEqualTo(logged + 1);
    // on loopback an invalidation takes milliseconds; the heartbeat carries the window's maximum
    Await.until(
        "a announces its lag",
        () ->
            find(a, "a").orElseThrow().lastHeartbeat().toEpochMilli()
                > System.currentTimeMillis() - HEARTBEAT.toMillis());
    assertThat(find(a, "a").orElseThrow().invalidationLag()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void eachHeartbeatCarriesTheNodesHotKeysSoAnotherNodeSeesThemAndCanMergeThem() {
    // Every read sampled: the test reads a few hundred times, not tens of thousands.
    Tierstate a = nodes.start("a", c -> c.nodeHeartbeat(HEARTBEAT).hotKeySampling(1));
    Tierstate b = nodes.start("b", c -> c.nodeHeartbeat(HEARTBEAT).hotKeySampling(1));
    for (Tierstate node : List.of(a, b)) {
      node.cache().set("shared:hot", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    }
    a.cache().set("only-a:hot", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    for (int i = 0; i < 300; i++) {
      assertThat(a.cache().get("shared:hot", String.class)).contains("v");
      assertThat(b.cache().get("shared:hot", String.class)).contains("v");
      if (i % 3 == 0) {
        assertThat(a.cache().get("only-a:hot", String.class)).contains("v");
      }
    }
    assertThat(a.cache().hotKeys())
        .extracting(HotKey::key)
        .as("hottest first")
        .startsWith("shared:hot", "only-a:hot");

    Await.until(
        "b sees a's hot keys in its heartbeat",
        () ->
            find(b, "a")
                .map(n -> n.hotKeys().stream().map(HotKey::key).toList())
                .orElse(List.of())
                .containsAll(List.of("shared:hot", "only-a:hot")));
    ClusterNode seenA = find(b, "a").orElseThrow();
    ClusterNode seenB = find(b, "b").orElseThrow();
    double onA = rate(seenA.hotKeys(), "shared:hot");
    double onB = rate(seenB.hotKeys(), "shared:hot");
    assertThat(onA).isPositive();
    assertThat(rate(seenA.hotKeys(), "only-a:hot")).isPositive().isLessThan(onA);
    List<HotKey> merged = HotKey.merge(List.of(seenA.hotKeys(), seenB.hotKeys()), 20);
    assertThat(merged.get(0).key()).isEqualTo("shared:hot");
    assertThat(merged.get(0).readsPerSecond()).isCloseTo(onA + onB, within(1e-6));
  }

  @Test
  void aNodeWithSamplingOffAnnouncesNoHotKeys() {
    Tierstate a = nodes.start("a", c -> c.nodeHeartbeat(HEARTBEAT).hotKeySampling(0));
    a.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    for (int i = 0; i < 1000; i++) {
      assertThat(a.cache().get("k", String.class)).contains("v");
    }
    assertThat(a.cache().hotKeys()).isEmpty();
    Await.until("a announced itself", () -> find(a, "a").isPresent());
    assertThat(find(a, "a").orElseThrow().hotKeys()).isEmpty();
  }

  private static double rate(List<HotKey> hot, String key) {
    return hot.stream().filter(h -> h.key().equals(key)).mapToDouble(HotKey::readsPerSecond).sum();
  }

  private static long lagCount(Tierstate node) {
    return node.metrics()
        .prometheus()
        .lines()
        .filter(l -> l.startsWith("tierstate_invalidation_lag_seconds_count"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aNodeThatClosesIsListedAsStoppedAtOnce() {
    Tierstate a = start("a");
    Tierstate b = start("b");
    Await.until("a lists b live", () -> listed(a, "b", ClusterNode.Status.LIVE));

    b.close();

    // a clean close says goodbye: no need to wait for missed heartbeats
    assertThat(find(a, "b").orElseThrow().status()).isEqualTo(ClusterNode.Status.STOPPED);
    assertThat(find(a, "a").orElseThrow().status()).isEqualTo(ClusterNode.Status.LIVE);
  }

  @Test
  void aNodeCutOffFromRedisIsListedAsStoppedOnceItsHeartbeatsAreMissingAndLiveWhenItReturns() {
    Tierstate a = start("a");
    try (FaultProxy proxy = FaultProxy.to(nodes.redis().host(), nodes.redis().port())) {
      Tierstate b = nodes.start("b", c -> c.redisUrl(proxy.redisUri()).nodeHeartbeat(HEARTBEAT));
      Await.until("a lists b live", () -> listed(a, "b", ClusterNode.Status.LIVE));

      proxy.partition(); // b runs on but cannot announce itself, as if it had crashed

      Await.until("a lists b stopped", () -> listed(a, "b", ClusterNode.Status.STOPPED));
      assertThat(find(a, "b")).isPresent(); // marked, not dropped

      proxy.heal();
      Await.until("a lists b live again", () -> listed(a, "b", ClusterNode.Status.LIVE));
      b.close();
    }
  }

  @Test
  void aStoppedNodeIsForgottenAfterTheRetention() {
    Tierstate a = start("a");
    TierstateConfig config = nodes.config("crashed").build();
    try (RedisConnector connector = RedisConnector.connect(config)) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      RedisExecutor redis =
          new RedisExecutor(
              connector,
              new CircuitBreaker(3, Duration.ofSeconds(1)),
              registry,
              Duration.ofSeconds(1));
      RedisClusterNodes crashed =
          new RedisClusterNodes(
              redis,
              nodes.namespace(),
              "crashed",
              HEARTBEAT,
              Duration.ofSeconds(2),
              () -> 7,
              List::of,
              registry,
              Clock.systemUTC());
      crashed.startHeartbeat();
      Await.until("a lists the node live", () -> listed(a, "crashed", ClusterNode.Status.LIVE));
      assertThat(find(a, "crashed").orElseThrow().l1Size()).isEqualTo(7);

      crashed.halt(); // no goodbye

      Await.until("a lists it stopped", () -> listed(a, "crashed", ClusterNode.Status.STOPPED));
      // a's retention is an hour, but the hash expires with the crashed node's own retention
      Await.until("a forgets it", () -> find(a, "crashed").isEmpty(), Duration.ofSeconds(10));
      assertThat(nodes.redis().command("ZSCORE", nodes.namespace() + ":nodes", "crashed")).isNull();
    }
  }
}
