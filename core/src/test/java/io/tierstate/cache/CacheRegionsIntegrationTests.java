package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cache regions on two nodes sharing one Redis: counted per region, cleared on every node by one
 * call, the other region left alone.
 */
class CacheRegionsIntegrationTests {
  private static final CacheOptions A = CacheOptions.ttl(Duration.ofMinutes(5)).region("alpha");
  private static final CacheOptions B = CacheOptions.ttl(Duration.ofMinutes(5)).region("beta");

  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void eachRegionCountsItsOwnReadsAndClearingOneEmptiesItOnEveryNodeAndLeavesTheOther()
      throws Exception {
    Tierstate one = nodes.start("one");
    Tierstate two = nodes.start("two");
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 5; i++) {
      String key = "alpha:" + i;
      one.cache().getOrLoad(key, String.class, () -> "a" + loads.incrementAndGet(), A);
    }
    for (int i = 0; i < 3; i++) {
      one.cache().set("beta:" + i, "b" + i, B.tags("betas"));
    }
    // The log is one ordered stream: once node two saw this write, it saw the fills above, so
    // their log entries cannot drop what it reads next.
    CountDownLatch synced = new CountDownLatch(1);
    AutoCloseable listener =
        two.invalidator()
            .onInvalidation(
                event -> {
                  if (event.keys().contains("sync")) {
                    synced.countDown();
                  }
                });
    one.cache().set("sync", "now", CacheOptions.ttl(Duration.ofMinutes(1)));
    assertThat(synced.await(10, TimeUnit.SECONDS)).as("node two read the log").isTrue();
    listener.close();
    // Node two reads everything through getOrLoad: L2 hits first, then L1 hits.
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 5; i++) {
        assertThat(two.cache().getOrLoad("alpha:" + i, String.class, () -> "never", A))
            .startsWith("a");
      }
      for (int i = 0; i < 3; i++) {
        assertThat(two.cache().getOrLoad("beta:" + i, String.class, () -> "never", B))
            .isEqualTo("b" + i);
      }
    }

    Map<String, CacheRegion> onOne = byName(one);
    assertThat(onOne.keySet()).containsExactly("alpha", "beta");
    assertThat(onOne.get("alpha").loads()).isEqualTo(5);
    assertThat(onOne.get("alpha").requests()).isEqualTo(5);
    assertThat(onOne.get("alpha").loadMeanMillis()).isPositive();
    assertThat(onOne.get("beta").loads()).as("set, never loaded").isZero();
    assertThat(onOne.get("alpha").l1Entries()).isEqualTo(5);
    assertThat(onOne.get("beta").l1Entries()).isEqualTo(3);

    Map<String, CacheRegion> onTwo = byName(two);
    assertThat(onTwo.get("alpha").requests()).isEqualTo(10);
    assertThat(onTwo.get("alpha").l2Hits()).isEqualTo(5);
    assertThat(onTwo.get("alpha").l1Hits()).isEqualTo(5);
    assertThat(onTwo.get("alpha").loads()).isZero();
    assertThat(onTwo.get("beta").requests()).isEqualTo(6);
    assertThat(onTwo.get("beta").l2Hits()).isEqualTo(3);
    assertThat(onTwo.get("beta").l1Hits()).isEqualTo(3);
    assertThat(onTwo.get("alpha").l1HitRate()).isEqualTo(0.5);
    Await.until(
        "node two's L1 holds alpha 5 and beta 3",
        () ->
            byName(two).get("alpha").l1Entries() == 5 && byName(two).get("beta").l1Entries() == 3);
    assertThat(
            two.metrics()
                .registry()
                .get(MeterNames.REGION_HITS)
                .tag("region", "alpha")
                .tag("tier", "l2")
                .functionCounter()
                .count())
        .as("the Micrometer meter reads the same counter")
        .isEqualTo(5);
    assertThat(one.metrics().prometheus())
        .contains("tierstate_cache_region_requests_total{region=\"alpha\"}")
        .contains("tierstate_cache_region_load_duration_seconds")
        .contains("tierstate_cache_region_l1_entries{region=\"beta\"}");

    assertThat(one.invalidator().invalidateRegion("alpha")).as("removed from Redis").isEqualTo(5);

    for (int i = 0; i < 5; i++) {
      assertThat(one.cache().inspect("alpha:" + i).inL2()).isFalse();
    }
    Await.until(
        "node two's L1 dropped region alpha",
        () -> byName(two).get("alpha").l1Entries() == 0 && !two.cache().inspect("alpha:0").inL1());
    for (int i = 0; i < 5; i++) {
      assertThat(two.cache().inspect("alpha:" + i).cached()).isFalse();
    }
    for (int i = 0; i < 3; i++) {
      assertThat(two.cache().inspect("beta:" + i).inL1()).as("beta stays on node two").isTrue();
      assertThat(one.cache().inspect("beta:" + i).inL2()).as("beta stays in Redis").isTrue();
    }
    assertThat(byName(two).get("beta").l1Entries()).isEqualTo(3);
    Await.until(
        "node one's L1 dropped region alpha", () -> byName(one).get("alpha").l1Entries() == 0);
    assertThat(two.cache().getOrLoad("alpha:0", String.class, () -> "reloaded", A))
        .as("the next read of a cleared entry loads again")
        .isEqualTo("reloaded");
    assertThat(one.invalidator().invalidateTags("betas"))
        .as("the region tag sits beside the entry's own tags")
        .isEqualTo(3);
  }

  @Test
  void aNodeRefusesTheRegionPastItsBoundWithoutCallingTheLoader() {
    Tierstate node = nodes.start("bounded");
    CacheOptions minute = CacheOptions.ttl(Duration.ofMinutes(1));
    for (int i = 0; i < TieredCache.MAX_REGIONS; i++) {
      node.cache().set("r:" + i, "v", minute.region("r" + i));
    }
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                node.cache()
                    .getOrLoad(
                        "r:x",
                        String.class,
                        () -> "v" + calls.incrementAndGet(),
                        minute.region("one-too-many")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maximum of 64 regions");
    assertThatThrownBy(() -> node.cache().set("r:x", "v", minute.region("one-too-many")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(calls).hasValue(0);
    assertThat(node.cache().inspect("r:x").cached()).as("nothing was written").isFalse();
    assertThat(node.cache().regions()).hasSize(TieredCache.MAX_REGIONS);
    node.cache().set("r:0", "again", minute.region("r0"));
  }

  private static Map<String, CacheRegion> byName(Tierstate node) {
    return node.cache().regions().stream()
        .collect(
            Collectors.toMap(CacheRegion::name, r -> r, (x, y) -> x, java.util.LinkedHashMap::new));
  }
}
