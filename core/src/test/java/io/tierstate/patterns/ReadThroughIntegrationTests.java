package io.tierstate.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.TypeRef;
import io.tierstate.keys.KeyPattern;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadThroughIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private Nodes nodes;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    nodes.close();
  }

  @Test
  void theMostSpecificPatternWins() {
    Tierstate a = nodes.start("a");
    ReadThrough reads = a.readThrough();
    reads.registerLoader("*", key -> "any");
    reads.registerLoader("user:*", key -> "user");
    reads.registerLoader("user:admin:*", key -> "admin");
    reads.registerLoader("user:admin:root", key -> "root");
    reads.registerLoader("user:*:profile", key -> "profile");
    reads.registerLoader("user:4?", key -> "forties");

    assertThat(reads.read("user:7", String.class, MINUTE)).isEqualTo("user");
    assertThat(reads.read("user:admin:9", String.class, MINUTE)).isEqualTo("admin");
    assertThat(reads.read("user:admin:root", String.class, MINUTE)).isEqualTo("root");
    assertThat(reads.read("user:7:profile", String.class, MINUTE)).isEqualTo("profile");
    assertThat(reads.read("user:42", String.class, MINUTE)).isEqualTo("forties");
    assertThat(reads.read("order:1", new TypeRef<String>() {}, MINUTE)).isEqualTo("any");
    assertThat(reads.patterns())
        .containsExactly(
            "user:admin:root", "user:admin:*", "user:4?", "user:*:profile", "user:*", "*");
    assertThat(
            a.metrics()
                .registry()
                .get(MeterNames.READ_THROUGH_LOADS)
                .tag("pattern", "user:*")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aReadServesTheCachedValueWithoutLoading() {
    Tierstate a = nodes.start("a");
    AtomicInteger loads = new AtomicInteger();
    a.readThrough().registerLoader("item:*", key -> "loaded-" + loads.incrementAndGet());
    a.cache().set("item:1", "cached", MINUTE);

    assertThat(a.readThrough().read("item:1", String.class, MINUTE)).isEqualTo("cached");
    assertThat(a.readThrough().read("item:2", String.class, MINUTE)).isEqualTo("loaded-1");
    assertThat(a.readThrough().read("item:2", String.class, MINUTE)).isEqualTo("loaded-1");
    assertThat(loads).hasValue(1);
  }

  @Test
  void concurrentReadsOnTwoNodesRunTheLoaderOnce() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    AtomicInteger loads = new AtomicInteger();
    KeyLoader<String> loader =
        key -> {
          loads.incrementAndGet();
          Thread.sleep(200);
          return "value-of-" + key;
        };
    a.readThrough().registerLoader("product:*", loader);
    b.readThrough().registerLoader("product:*", loader);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Tierstate node = i % 2 == 0 ? a : b;
      results.add(
          pool.submit(
              () -> {
                go.await();
                return node.readThrough().read("product:9", String.class, MINUTE);
              }));
    }
    go.countDown();
    for (Future<String> result : results) {
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value-of-product:9");
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void aKeyWithNoLoaderIsAClearError() {
    Tierstate a = nodes.start("a");
    a.readThrough().registerLoader("user:*", key -> "user");
    a.readThrough().registerLoader("team:*", key -> "team");

    assertThatThrownBy(() -> a.readThrough().read("order:1", String.class, MINUTE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'order:1'")
        .hasMessageContaining("user:*")
        .hasMessageContaining("team:*");
    assertThatThrownBy(() -> a.readThrough().registerLoader("bad[pattern]", key -> "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad[pattern]");
    assertThatThrownBy(() -> a.readThrough().registerLoader("user:*", key -> "again"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already registered");
  }

  @Test
  void globsMatchStarsAndSingleCharacters() {
    assertThat(KeyPattern.matches("user:*", "user:")).isTrue();
    assertThat(KeyPattern.matches("user:*", "user")).isFalse();
    assertThat(KeyPattern.matches("a*b*c", "axxbyyc")).isTrue();
    assertThat(KeyPattern.matches("a*b*c", "axxbyy")).isFalse();
    assertThat(KeyPattern.matches("a?c", "abc")).isTrue();
    assertThat(KeyPattern.matches("a?c", "ac")).isFalse();
    assertThat(KeyPattern.matches("*", "")).isTrue();
  }
}
