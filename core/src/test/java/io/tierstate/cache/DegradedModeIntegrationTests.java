package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.metrics.MetricsSnapshot;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guarantee 4: losing Redis degrades the cache; it never becomes an outage. */
class DegradedModeIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private RedisServer redis;
  private Nodes nodes;

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void redisKilledUnderLoadKeepsAnsweringAndRecoversByItself() throws Exception {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong answered = new AtomicLong();
    AtomicLong slowest = new AtomicLong();
    AtomicInteger failures = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      workers.add(
          pool.submit(
              () -> {
                int i = 0;
                while (running.get()) {
                  String key = "item:" + (i++ % 50);
                  long start = System.nanoTime();
                  try {
                    String value =
                        node.cache().getOrLoad(key, String.class, () -> "row-" + key, MINUTE);
                    if (!("row-" + key).equals(value)) {
                      failures.incrementAndGet();
                    }
                    node.cache().get(key, String.class);
                    answered.incrementAndGet();
                  } catch (RuntimeException e) {
                    failures.incrementAndGet();
                  }
                  slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
                return null;
              }));
    }
    Await.until("load is flowing", () -> answered.get() > 500);

    redis.kill();
    long answeredAtKill = answered.get();
    Await.until(
        "the node keeps answering without Redis",
        () -> answered.get() > answeredAtKill + 2_000,
        Duration.ofSeconds(20));
    // L1 hits can outrun Lettuce noticing the closed socket, so wait for the node to see the loss
    Await.until(
        "the node sees Redis is gone", () -> !node.redisAvailable(), Duration.ofSeconds(20));
    slowest.set(0);
    long before = answered.get();
    Await.until(
        "calls stay fast while Redis is down",
        () -> answered.get() > before + 2_000,
        Duration.ofSeconds(20));
    // with the breaker open no call waits for a command timeout (500 ms here)
    assertThat(Duration.ofNanos(slowest.get())).isLessThan(Duration.ofMillis(500));

    redis.restart();
    Await.until(
        "the node recovers by itself",
        () -> node.redisAvailable() && node.invalidationsFlowing(),
        Duration.ofSeconds(20));
    // the restarted Redis is empty: the node fills it again as its short-lived L1 entries expire
    Await.until(
        "L2 is filled again",
        () -> "1".equals(redis.command("EXISTS", nodes.namespace() + ":{item:7}")),
        Duration.ofSeconds(20));
    Tierstate peer = nodes.start("b");
    assertThat(peer.cache().get("item:7", String.class)).contains("row-item:7");
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(10, TimeUnit.SECONDS);
    }
    assertThat(failures).hasValue(0);
  }

  @Test
  void aNodeStartsDegradedWhenRedisIsDownAndConnectsWhenItComesUp() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    redis.stop();
    Tierstate node = Tierstate.create(nodes.config("late").build());
    try {
      AtomicInteger loads = new AtomicInteger();
      assertThat(
              node.cache()
                  .getOrLoad("k", String.class, () -> "v" + loads.incrementAndGet(), MINUTE))
          .isEqualTo("v1");
      node.cache().set("written-while-down", "x", MINUTE);
      assertThat(node.cache().get("k", String.class)).contains("v1"); // from L1, briefly

      redis.restart();
      Await.until(
          "connected",
          () -> node.redisAvailable() && node.invalidationsFlowing(),
          Duration.ofSeconds(20));
      node.cache().set("k", "v2", MINUTE);
      assertThat(redis.command("EXISTS", nodes.namespace() + ":{k}")).isEqualTo("1");
    } finally {
      node.close();
    }
  }

  /** Nodes a and b on a fresh Redis; a wrote k = "old" and b holds it in its L1. */
  private Tierstate[] twoNodesWhereBHoldsKInL1() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    a.cache().set("k", "old", MINUTE);
    assertThat(b.cache().get("k", String.class)).contains("old");
    return new Tierstate[] {a, b};
  }

  @Test
  void anInvalidationQueuedBehindAnOpenBreakerIsReplayedThoughNothingElseCallsRedis()
      throws Exception {
    // Regression: the replay waited for a closed breaker, and on a node that makes no other call
    // nothing closed it, so the invalidation never left the node.
    Tierstate[] ab = twoNodesWhereBHoldsKInL1();
    Tierstate a = ab[0];
    Tierstate b = ab[1];

    redis.pause();
    // three reads that time out together open a's breaker (threshold 3), in less time than the
    // invalidation listeners need to notice the pause
    List<Future<?>> reads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String key = "absent:" + i;
      reads.add(pool.submit(() -> a.cache().get(key, String.class)));
    }
    for (Future<?> read : reads) {
      read.get(10, TimeUnit.SECONDS);
    }
    assertThat(a.redisAvailable()).as("a's breaker is open").isFalse();
    a.cache().delete("k"); // refused by the open breaker: queued
    redis.resume();

    Await.until(
        "a's queued invalidation reaches b",
        () -> b.cache().get("k", String.class).isEmpty(),
        Duration.ofSeconds(10));
    assertThat(redis.command("EXISTS", nodes.namespace() + ":{k}")).isEqualTo("0");
    Await.until("a's breaker closes", a::redisAvailable);
  }

  @Test
  void writesMadeWhileRedisIsUnreachableAreReplayedAsInvalidations() {
    Tierstate[] ab = twoNodesWhereBHoldsKInL1();
    Tierstate a = ab[0];
    Tierstate b = ab[1];

    // a loses Redis (b keeps its L1 copy, as a partitioned peer would), and deletes k meanwhile.
    // (The delete script is new to this Redis, so the replay also meets NOSCRIPT: see
    // CoherenceIntegrationTests#aWriteSentAgainWholeAfterNoscriptIsStillFollowedByItsLogEntry.)
    redis.pause();
    a.cache().delete("k");
    redis.resume();

    try {
      Await.until(
          "a's pending invalidation reaches b",
          () -> b.cache().get("k", String.class).isEmpty(),
          Duration.ofSeconds(20));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + state(a, b), e);
    }
    assertThat(redis.command("EXISTS", nodes.namespace() + ":{k}")).isEqualTo("0");
  }

  /** What a failed wait needs to be understood: both nodes' view of Redis, and Redis's own. */
  private String state(Tierstate a, Tierstate b) {
    MetricsSnapshot bSeen = b.metrics().snapshot();
    return "a: redisAvailable="
        + a.redisAvailable()
        + "; b: redisAvailable="
        + b.redisAvailable()
        + ", invalidationsFlowing="
        + b.invalidationsFlowing()
        + ", L1 hits/misses="
        + bSeen.l1Hits()
        + "/"
        + bSeen.l1Misses()
        + ", L2 hits="
        + bSeen.l2Hits()
        + "; redis: EXISTS k="
        + redis.command("EXISTS", nodes.namespace() + ":{k}")
        + ", log length="
        + redis.command("XLEN", nodes.namespace() + ":log");
  }

  @Test
  void redisRequiredFailsFastWithAClearMessage() {
    redis = RedisServer.start();
    String url = redis.uri();
    redis.stop();
    TierstateConfig config =
        TierstateConfig.fromEnv(java.util.Map.of("REDIS_URL", url, "REDIS_REQUIRED", "true"));

    assertThatThrownBy(() -> Tierstate.create(config))
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("REDIS_REQUIRED")
        .hasMessageContaining(String.valueOf(redis.port()));
  }
}
