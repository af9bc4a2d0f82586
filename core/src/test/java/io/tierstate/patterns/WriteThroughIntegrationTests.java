package io.tierstate.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteThroughIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private Nodes nodes;
  private final Map<String, String> database = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aSuccessfulWriteUpdatesTheSourceTheCacheAndTheOtherNode() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    a.cache().set("user:1", "old", MINUTE);
    assertThat(b.cache().get("user:1", String.class)).contains("old"); // primes b's L1

    a.writeThrough().write("user:1", "new", value -> database.put("user:1", value), MINUTE);

    assertThat(database).containsEntry("user:1", "new");
    assertThat(a.cache().get("user:1", String.class)).contains("new");
    Await.until(
        "b sees the new value",
        () -> b.cache().get("user:1", String.class).equals(Optional.of("new")));
    assertThat(successes(a, "write")).isEqualTo(1);
  }

  @Test
  void aFailingWriterLeavesTheCacheAndTheOtherNodesL1Untouched() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    a.cache().set("user:2", "old", MINUTE);
    assertThat(b.cache().get("user:2", String.class)).contains("old"); // primes b's L1

    assertThatThrownBy(
            () ->
                a.writeThrough()
                    .write(
                        "user:2",
                        "new",
                        value -> {
                          throw new IOException("database down");
                        },
                        MINUTE))
        .isInstanceOf(WriteThroughException.class)
        .hasMessageContaining("'user:2'")
        .hasCauseInstanceOf(IOException.class);
    IllegalStateException runtime = new IllegalStateException("constraint violated");
    assertThatThrownBy(
            () ->
                a.writeThrough()
                    .write(
                        "user:2",
                        "newer",
                        value -> {
                          throw runtime;
                        },
                        MINUTE))
        .isSameAs(runtime);

    Thread.sleep(200); // an invalidation, had one been sent, would have arrived by now
    assertThat(a.cache().get("user:2", String.class)).contains("old");
    assertThat(b.cache().get("user:2", String.class)).contains("old");
    Tierstate c = nodes.start("c"); // an empty L1: reads what Redis holds
    assertThat(c.cache().get("user:2", String.class)).contains("old");
    assertThat(
            a.metrics()
                .registry()
                .get(MeterNames.WRITE_THROUGH_OPERATIONS)
                .tag("operation", "write")
                .tag("result", "failure")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void deleteRemovesFromTheSourceThenEveryTierAndNode() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    database.put("user:3", "v");
    a.cache().set("user:3", "v", MINUTE);
    assertThat(b.cache().get("user:3", String.class)).contains("v");

    assertThatThrownBy(
            () ->
                a.writeThrough()
                    .delete(
                        "user:3",
                        key -> {
                          throw new IOException("database down");
                        }))
        .isInstanceOf(WriteThroughException.class);
    assertThat(b.cache().get("user:3", String.class)).contains("v");

    a.writeThrough().delete("user:3", database::remove);

    assertThat(database).doesNotContainKey("user:3");
    assertThat(a.cache().get("user:3", String.class)).isEmpty();
    Await.until("b drops the key", () -> b.cache().get("user:3", String.class).isEmpty());
    assertThat(successes(a, "delete")).isEqualTo(1);
  }

  @Test
  void badArgumentsAreNamedAndWriteNothing() {
    Tierstate a = nodes.start("a");
    assertThatThrownBy(
            () -> a.writeThrough().write("bad key", "v", v -> database.put("bad key", v), MINUTE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad key");
    assertThatThrownBy(() -> a.writeThrough().write("user:9", "v", null, MINUTE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writer");
    assertThat(database).isEmpty();
  }

  private static double successes(Tierstate node, String operation) {
    return node.metrics()
        .registry()
        .get(MeterNames.WRITE_THROUGH_OPERATIONS)
        .tag("operation", operation)
        .tag("result", "success")
        .counter()
        .count();
  }
}
