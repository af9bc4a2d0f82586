package io.tierstate.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Nodes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarmingIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private Nodes nodes;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void warmAllRunsEnabledStrategiesHighestPriorityFirst() {
    Tierstate a = nodes.start("a");
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    a.warmer().register(strategy("low", 1, order));
    a.warmer().register(strategy("high", 9, order));
    a.warmer().register(strategy("middle", 5, order));
    a.warmer()
        .register(
            WarmingStrategy.named("off")
                .priority(100)
                .enabled(false)
                .fetch(
                    () -> {
                      order.add("off");
                      return List.of();
                    }));

    WarmingReport report = a.warmer().warmAll();

    assertThat(order).containsExactly("high", "middle", "low");
    assertThat(report.runs())
        .extracting(WarmingReport.Run::strategy)
        .containsExactly("high", "middle", "low");
    assertThat(report.entries()).isEqualTo(3);
    assertThat(report.succeeded()).isTrue();
    assertThat(a.cache().get("high:entry", String.class)).contains("high");
    assertThat(a.warmer().warm("off").succeeded()).isTrue(); // explicit runs ignore enabled
    assertThat(order).endsWith("off");
  }

  @Test
  void aFailingStrategyDoesNotStopTheOthersAndIsCounted() {
    Tierstate a = nodes.start("a");
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    a.warmer().register(strategy("first", 3, order));
    a.warmer()
        .register(
            WarmingStrategy.named("broken")
                .priority(2)
                .fetch(
                    () -> {
                      order.add("broken");
                      throw new IOException("source down");
                    }));
    a.warmer()
        .register(
            WarmingStrategy.named("values")
                .priority(1)
                .fetchValues(
                    MINUTE, () -> Map.of("country:gb", "United Kingdom", "country:fr", "France")));

    WarmingReport report = a.warmer().warmAll();

    assertThat(order).containsExactly("first", "broken");
    assertThat(report.succeeded()).isFalse();
    assertThat(report.runs()).hasSize(3);
    assertThat(report.runs().get(1).failure()).get().isInstanceOf(IOException.class);
    assertThat(report.runs().get(2).entries()).isEqualTo(2);
    assertThat(a.cache().get("country:fr", String.class)).contains("France");
    assertThat(runs(a, "broken", "failure")).isEqualTo(1);
    assertThat(runs(a, "values", "success")).isEqualTo(1);
    assertThat(
            a.metrics()
                .registry()
                .get(MeterNames.WARMING_ENTRIES)
                .tag("strategy", "values")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void twoNodesWithTheSameScheduleWarmOncePerPeriodInTotal() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    List<Long> fetches = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    for (Tierstate node : List.of(a, b)) {
      node.warmer()
          .register(
              WarmingStrategy.named("popular")
                  .every(Duration.ofSeconds(1))
                  .fetch(
                      () -> {
                        fetches.add(System.nanoTime());
                        return List.of(WarmEntry.of("popular:1", "p1", MINUTE));
                      }));
    }
    Thread.sleep(3_300);
    a.warmer().unregister("popular");
    b.warmer().unregister("popular");
    Thread.sleep(100); // a run in progress completes

    long windowNanos = System.nanoTime() - start;
    List<Long> times;
    synchronized (fetches) {
      times = new ArrayList<>(fetches);
    }
    // Runs at about 0, 1, 2 and 3 s: one per period in total, never two.
    assertThat(times.size())
        .as("fetches in %d ms: %s", windowNanos / 1_000_000, times)
        .isBetween(3, 4);
    Collections.sort(times);
    for (int i = 1; i < times.size(); i++) {
      assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1)))
          .isGreaterThan(Duration.ofMillis(900));
    }
    double skipped = runs(a, "popular", "skipped") + runs(b, "popular", "skipped");
    assertThat(skipped).isGreaterThanOrEqualTo(2);
  }

  @Test
  void badStrategiesAreRefusedWithTheirName() {
    Tierstate a = nodes.start("a");
    a.warmer().register(WarmingStrategy.named("dup").fetch(List::of));
    assertThatThrownBy(() -> a.warmer().register(WarmingStrategy.named("dup").fetch(List::of)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'dup'");
    assertThatThrownBy(() -> WarmingStrategy.named("fast").every(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fast'");
    assertThatThrownBy(() -> WarmingStrategy.named("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has space");
    assertThatThrownBy(() -> a.warmer().warm("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'missing'")
        .hasMessageContaining("dup");
  }

  private static WarmingStrategy strategy(String name, int priority, List<String> order) {
    return WarmingStrategy.named(name)
        .priority(priority)
        .fetch(
            () -> {
              order.add(name);
              return List.of(WarmEntry.of(name + ":entry", name, MINUTE));
            });
  }

  private static double runs(Tierstate node, String strategy, String result) {
    var counter =
        node.metrics()
            .registry()
            .find(MeterNames.WARMING_RUNS)
            .tag("strategy", strategy)
            .tag("result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }
}
