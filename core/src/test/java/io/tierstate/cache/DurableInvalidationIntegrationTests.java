package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Invalidator#invalidateDurably}: in Redis and the log when it returns, else it throws. */
class DurableInvalidationIntegrationTests {
  private static final CacheOptions TAGGED =
      CacheOptions.ttl(Duration.ofMinutes(1)).tags("group:1");
  private RedisServer redis;
  private Nodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void reachesEveryNodeWhenItReturnsAndThrowsInsteadOfHoldingBackWhenRedisIsDown() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    b.cache().set("item:1", "one", CacheOptions.ttl(Duration.ofMinutes(1)));
    b.cache().set("item:2", "two", TAGGED);
    assertThat(b.cache().get("item:1", String.class)).contains("one");
    assertThat(a.cache().get("item:2", String.class)).contains("two");

    a.invalidator().invalidateDurably(List.of("item:1"), List.of("group:1"));

    Await.until(
        "node b dropped both entries",
        () ->
            b.cache().get("item:1", String.class).isEmpty()
                && b.cache().get("item:2", String.class).isEmpty());
    assertThat(a.cache().get("item:2", String.class)).isEqualTo(Optional.empty());

    a.cache().set("item:3", "three", CacheOptions.ttl(Duration.ofMinutes(1)));
    redis.kill();
    assertThatThrownBy(() -> a.invalidator().invalidateDurably(List.of("item:3"), List.of()))
        .isInstanceOf(RedisUnavailableException.class);
    // This node's own copy is dropped even though Redis did not take the invalidation.
    assertThat(a.cache().get("item:3", String.class)).isEmpty();
    assertThatThrownBy(() -> a.invalidator().invalidateDurably(List.of("bad key"), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
