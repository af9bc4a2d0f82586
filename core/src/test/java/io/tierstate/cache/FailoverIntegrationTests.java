package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelFailoverSetup;
import io.tierstate.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A failover that drops writes the old primary acknowledged must not leave the values those writes
 * removed in service (defect 3 of docs/reliability.md): the L2 entries written before the loss are
 * distrusted (the trust floor), on the nodes that saw the failover and on nodes started after it.
 */
class FailoverIntegrationTests {
  private static final String NAMESPACE = "failover";
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private static final Duration FAILOVER = Duration.ofSeconds(40);

  private static Tierstate node(String url, String nodeId) {
    Map<String, String> env = new HashMap<>();
    env.put("REDIS_URL", url);
    env.put("REDIS_REQUIRED", "true");
    env.put("TIERSTATE_NODE_ID", nodeId);
    env.put("TIERSTATE_NAMESPACE", NAMESPACE);
    Tierstate node = Tierstate.create(TierstateConfig.fromEnv(env));
    Await.until(nodeId + " reads the log", node::invalidationsFlowing);
    return node;
  }

  /**
   * The sequence of the fault suite's Sentinel failover, made deterministic: the old primary is
   * frozen while the Sentinels promote its replica, and a delete sent to it on a connection opened
   * before (a node that had not seen the failover yet) runs when it resumes, acknowledged, just
   * before the Sentinels make it a replica and it resynchronises, dropping the delete.
   */
  @Test
  void aDeleteTheOldPrimaryAcknowledgedAfterThePromotionLeavesNoStaleValue() throws IOException {
    try (RedisSentinelFailoverSetup setup = RedisSentinelFailoverSetup.start();
        Tierstate a = node(setup.uri(), "a")) {
      AtomicReference<String> source = new AtomicReference<>("v1");
      assertThat(a.cache().getOrLoad("item", String.class, source::get, MINUTE)).isEqualTo("v1");
      RedisServer old = setup.primary();
      RedisServer promoted = setup.replica();
      old.awaitReplicated(promoted, Duration.ofSeconds(10));

      try (Socket held = new Socket(old.host(), old.port())) {
        held.setSoTimeout((int) FAILOVER.toMillis());
        old.pause();
        setup.awaitPrimaryOtherThan(old, FAILOVER);
        // The source of truth moves on, and the writer's delete reaches the old primary only.
        source.set("v2");
        send(held.getOutputStream(), "DEL", NAMESPACE + ":{item}");
        old.resume();
        assertThat(readLine(held.getInputStream()))
            .as("the old primary acknowledged the delete")
            .isEqualTo(":1");
      }
      Await.until(
          "the old primary follows the new one",
          () ->
              String.valueOf(old.command("INFO", "replication")).contains("master_link_status:up"),
          FAILOVER);
      assertThat(promoted.command("EXISTS", NAMESPACE + ":{item}"))
          .as("the promotion dropped the delete: L2 still holds v1")
          .isEqualTo("1");

      // The node clears L1 when it sees the failover (a changed run id); the floor is raised first.
      Await.until("a saw the failover", () -> count(a, MeterNames.L1_RESYNCS) > 0, FAILOVER);
      try (Tierstate late = node(setup.uri(), "late")) {
        assertThat(late.cache().get("item", String.class))
            .as("a node started after the failover learns the floor")
            .isNotEqualTo(Optional.of("v1"));
      }
      assertThat(a.cache().get("item", String.class)).isNotEqualTo(Optional.of("v1"));
      assertThat(a.cache().getOrLoad("item", String.class, source::get, MINUTE)).isEqualTo("v2");
      assertThat(a.cache().get("item", String.class)).contains("v2");
      assertThat(count(a, MeterNames.TRUST_FLOOR_RAISES)).isEqualTo(1.0);
    }
  }

  /**
   * A Cluster master killed with a write it never replicated (defect 4): to its promoted replica
   * the write's delete never happened, and the value from before it is still in L2. The node must
   * reach the replica promptly and load the key again rather than serve that value.
   */
  @Test
  void aClusterNodeReachesThePromotedReplicaAndReloadsWhatTheKilledMasterHeld() {
    try (RedisCluster cluster = RedisCluster.builder().replicasPerMaster(1).start();
        Tierstate a = node(cluster.uri(), "a")) {
      String valueKey = NAMESPACE + ":{item}";
      AtomicReference<String> source = new AtomicReference<>("v1");
      assertThat(a.cache().getOrLoad("item", String.class, source::get, MINUTE)).isEqualTo("v1");
      RedisServer owner =
          cluster.owner(
              Integer.parseInt(String.valueOf(cluster.command("CLUSTER", "KEYSLOT", valueKey))));
      RedisServer replica = cluster.replicas().get(cluster.nodes().indexOf(owner));
      owner.awaitReplicated(replica, Duration.ofSeconds(10));

      source.set("v2"); // its delete reached the master only, which dies before replicating it
      owner.kill();
      cluster.awaitPromotion(replica, Duration.ofSeconds(60));
      long promoted = System.nanoTime();
      Await.until(
          "a reloads the key into the promoted replica",
          () -> {
            String unused = a.cache().getOrLoad("item", String.class, source::get, MINUTE);
            return String.valueOf(replica.command("GET", valueKey)).contains("v2");
          },
          Duration.ofSeconds(30));
      long reachedMillis = Duration.ofNanos(System.nanoTime() - promoted).toMillis();

      System.out.println(
          "promoted replica reached and filled " + reachedMillis + " ms after the promotion");
      assertThat(a.cache().get("item", String.class)).contains("v2");
      assertThat(count(a, MeterNames.TRUST_FLOOR_RAISES)).isGreaterThanOrEqualTo(1.0);
      // Lettuce's 30 s limit on adaptive refreshes made this 17 s in the fault suite.
      assertThat(reachedMillis).isLessThan(10_000);
    }
  }

  /**
   * Defect 9's library half: a Cluster whose masters each name the other as a slot's owner answers
   * {@code MOVED} back and forth, so a delete of a key in that slot is held back (as if Redis were
   * unreachable) and the node's health says so; once an operator repairs the slot, the held-back
   * delete is sent, reaches the other node through the log, and both nodes are healthy again.
   */
  @Test
  void aDeleteHeldBackByASlotTheMastersDisagreeOnIsSentOnceTheSlotIsRepaired() {
    try (RedisCluster cluster = RedisCluster.start();
        Tierstate a = node(cluster.uri(), "a");
        Tierstate b = node(cluster.uri(), "b")) {
      String valueKey = NAMESPACE + ":{item}";
      int slot = Integer.parseInt(String.valueOf(cluster.command("CLUSTER", "KEYSLOT", valueKey)));
      int logSlot =
          Integer.parseInt(
              String.valueOf(
                  cluster.command("CLUSTER", "KEYSLOT", NAMESPACE + ":{" + NAMESPACE + ":log}")));
      assertThat(slot).as("the value's slot is not the log's").isNotEqualTo(logSlot);
      AtomicReference<String> source = new AtomicReference<>("v1");
      assertThat(b.cache().getOrLoad("item", String.class, source::get, MINUTE)).isEqualTo("v1");
      RedisServer owner = cluster.owner(slot);
      RedisServer other = cluster.nodes().get((cluster.nodes().indexOf(owner) + 1) % 3);
      // Break the slot the way defect 9 found it: the owner, emptied, names the other master, which
      // still names the owner. (A master holding keys of a slot refuses to give it away.)
      assertThat(owner.command("DEL", valueKey)).isEqualTo("1");
      assertThat(owner.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", nodeId(other)))
          .isEqualTo("OK");
      assertThat(other.command("GET", valueKey))
          .startsWith("ERR:MOVED " + slot + " 127.0.0.1:" + owner.port());
      assertThat(owner.command("GET", valueKey))
          .startsWith("ERR:MOVED " + slot + " 127.0.0.1:" + other.port());

      source.set("v2");
      a.cache().delete("item");
      Await.until(
          "a reports the delete it holds back",
          () -> a.metrics().healthCheck().status() != HealthStatus.HEALTHY,
          Duration.ofSeconds(10));
      assertThat(b.cache().get("item", String.class))
          .as("b never heard of the delete")
          .contains("v1");

      assertThat(owner.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", nodeId(owner)))
          .isEqualTo("OK");
      Await.until(
          "b hears the replayed delete",
          () -> b.cache().get("item", String.class).isEmpty(),
          Duration.ofSeconds(30));
      assertThat(b.cache().getOrLoad("item", String.class, source::get, MINUTE)).isEqualTo("v2");
      Await.until(
          "both nodes are healthy again",
          () ->
              a.metrics().healthCheck().status() == HealthStatus.HEALTHY
                  && b.metrics().healthCheck().status() == HealthStatus.HEALTHY,
          Duration.ofSeconds(30));
    }
  }

  private static String nodeId(RedisServer node) {
    return String.valueOf(node.command("CLUSTER", "MYID"));
  }

  private static double count(Tierstate node, String counter) {
    return node.metrics().registry().find(counter).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private static void send(OutputStream out, String... args) throws IOException {
    StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
      command.append(arg).append("\r\n");
    }
    out.write(command.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
