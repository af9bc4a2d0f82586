package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node reads log entries written by nodes of other versions (docs/protocol.md): entries in the
 * format from before the version field, and entries it does not understand, which clear its L1.
 */
class LogFormatIntegrationTests {
  private Nodes nodes;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private void appendRaw(String... fields) {
    String[] command = new String[fields.length + 3];
    command[0] = "XADD";
    command[1] = nodes.namespace() + ":log";
    command[2] = "*";
    System.arraycopy(fields, 0, command, 3, fields.length);
    nodes.redis().command(command);
  }

  @Test
  void anEntryInThePreviousFormatInvalidatesLikeOne() throws Exception {
    Tierstate node = nodes.start("current");
    List<InvalidationEvent> events = new CopyOnWriteArrayList<>();
    node.invalidator().onInvalidation(events::add);

    appendRaw("o", "old-node", "t", "k", "d", "user:1 user:2", "g", "");

    Await.until("the entry is read", () -> !events.isEmpty());
    assertThat(events.getFirst().kind()).isEqualTo(InvalidationEvent.Kind.KEYS);
    assertThat(events.getFirst().keys()).containsExactly("user:1", "user:2");
    assertThat(events.getFirst().originNode()).isEqualTo("old-node");
  }

  @Test
  void anEntryANodeDoesNotUnderstandClearsItsL1() throws Exception {
    Tierstate node = nodes.start("current");
    node.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    List<InvalidationEvent> events = new CopyOnWriteArrayList<>();
    node.invalidator().onInvalidation(events::add);

    appendRaw("v", "2", "o", "newer-node", "t", "k", "d", "other", "g", "");

    Await.until("the entry is read", () -> !events.isEmpty());
    // L1_RESYNC is what a node tells its listeners once it has cleared its L1.
    assertThat(events)
        .extracting(InvalidationEvent::kind)
        .containsExactly(InvalidationEvent.Kind.L1_RESYNC);
  }
}
