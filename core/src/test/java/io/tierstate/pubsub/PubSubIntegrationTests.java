package io.tierstate.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pub/sub between nodes: typed payloads, patterns, namespaces, reconnects and failing handlers. */
class PubSubIntegrationTests {
  record Activity(String user, String action, int count) {}

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
  void aRecordPublishedOnOneNodeReachesASubscriberOnAnother() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    List<Activity> got = new CopyOnWriteArrayList<>();
    try (Subscription subscription =
        b.pubsub().subscribe("team:1:activity", Activity.class, got::add)) {
      assertThat(subscription.channel()).isEqualTo("team:1:activity");
      assertThat(subscription.isActive()).isTrue();

      long receivers = a.pubsub().publish("team:1:activity", new Activity("u7", "commented", 3));

      assertThat(receivers).isEqualTo(1);
      Await.until("b receives the activity", () -> !got.isEmpty());
      assertThat(got).containsExactly(new Activity("u7", "commented", 3));
      assertThat(a.metrics().registry().get(MeterNames.PUBSUB_PUBLISHED).counter().count())
          .isEqualTo(1);
      Await.until(
          "the receipt is counted",
          () -> b.metrics().registry().get(MeterNames.PUBSUB_RECEIVED).counter().count() == 1);
    }
  }

  @Test
  void aPatternSubscriberGetsTheChannelWithoutTheNamespace() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Map<String, Activity> got = new ConcurrentHashMap<>();
    b.pubsub().psubscribe("team:*:activity", Activity.class, got::put);

    a.pubsub().publish("team:1:activity", new Activity("u1", "joined", 1));
    a.pubsub().publish("team:2:activity", new Activity("u2", "left", 2));
    a.pubsub().publish("team:2:billing", new Activity("u3", "paid", 3));

    Await.until("both teams' activity arrives", () -> got.size() == 2);
    assertThat(got).containsOnlyKeys("team:1:activity", "team:2:activity");
    assertThat(got.get("team:2:activity")).isEqualTo(new Activity("u2", "left", 2));
  }

  @Test
  void closingASubscriptionStopsDeliveryToItOnly() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    Subscription one = b.pubsub().subscribe("news", String.class, first::add);
    Subscription two = b.pubsub().subscribe("news", String.class, second::add);
    a.pubsub().publish("news", "m1");
    Await.until("both handlers get m1", () -> first.size() == 1 && second.size() == 1);

    one.close();
    assertThat(one.isActive()).isFalse();
    a.pubsub().publish("news", "m2");
    Await.until("the remaining handler gets m2", () -> second.size() == 2);
    assertThat(first).containsExactly("m1");

    two.close();
    two.close(); // closing again does nothing
    assertThat(a.pubsub().publish("news", "m3")).as("nobody subscribes in Redis any more").isZero();
  }

  @Test
  void namespacesKeepServicesApart() {
    Tierstate a = nodes.start("a");
    try (Nodes otherService = Nodes.onSharedRedis()) {
      Tierstate other = otherService.start("x");
      List<String> ours = new CopyOnWriteArrayList<>();
      List<String> theirs = new CopyOnWriteArrayList<>();
      a.pubsub().subscribe("events", String.class, ours::add);
      other.pubsub().subscribe("events", String.class, theirs::add);
      other
          .pubsub()
          .psubscribe("*", String.class, (channel, message) -> theirs.add(channel + "=" + message));

      a.pubsub().publish("events", "ours-1");
      other.pubsub().publish("events", "theirs-1");

      Await.until(
          "each service gets its own message", () -> ours.size() == 1 && theirs.size() == 2);
      assertThat(ours).containsExactly("ours-1");
      assertThat(theirs).containsExactlyInAnyOrder("theirs-1", "events=theirs-1");
    }
  }

  @Test
  void aThrowingHandlerIsCountedAndKeepsItsSubscription() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    List<Integer> handled = new CopyOnWriteArrayList<>();
    b.pubsub()
        .subscribe(
            "jobs",
            Integer.class,
            n -> {
              if (n == 1) {
                throw new IllegalStateException("handler bug on message 1");
              }
              handled.add(n);
            });
    a.pubsub().publish("jobs", 1);
    a.pubsub().publish("jobs", "not a number"); // decodes into no Integer: counted, skipped
    a.pubsub().publish("jobs", 2);

    Await.until("the message after the failures is handled", () -> handled.contains(2));
    assertThat(handled).containsExactly(2);
    assertThat(
            b.metrics()
                .registry()
                .get(MeterNames.PUBSUB_HANDLER_ERRORS)
                .tag("cause", "handler")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            b.metrics()
                .registry()
                .get(MeterNames.PUBSUB_HANDLER_ERRORS)
                .tag("cause", "decode")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void subscriptionsComeBackAfterRedisRestarts() {
    try (RedisServer redis = RedisServer.start();
        Nodes own = new Nodes(redis)) {
      Tierstate a = own.start("a");
      Tierstate b = own.start("b");
      List<String> got = new CopyOnWriteArrayList<>();
      b.pubsub().subscribe("alerts", String.class, got::add);
      a.pubsub().publish("alerts", "before");
      Await.until("the first alert arrives", () -> got.contains("before"));

      redis.kill();
      redis.restart();

      // Publish until one gets through: the publisher's connection and the subscriber's both
      // reconnect.
      Await.until(
          "an alert published after the restart arrives",
          () -> {
            try {
              a.pubsub().publish("alerts", "after");
            } catch (RedisUnavailableException e) {
              return false;
            }
            return got.contains("after");
          },
          Duration.ofSeconds(30));
      assertThat(got).startsWith("before");
    }
  }

  @Test
  void badInputIsRefusedWithAMessageNamingIt() {
    PubSub pubsub = nodes.start("a").pubsub();
    assertThatThrownBy(() -> pubsub.publish("two words", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel")
        .hasMessageContaining("'two words'");
    assertThatThrownBy(() -> pubsub.subscribe("ch*", String.class, s -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ch*'");
    assertThatThrownBy(() -> pubsub.psubscribe("a{b}*", String.class, (c, s) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern")
        .hasMessageContaining("'{'");
    assertThatThrownBy(() -> pubsub.publish("ok", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("payload");
  }
}
