package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster with a replica per master: a killed master is replaced by its replica; a slot moves with its keys. */
class RedisClusterReplicasIntegrationTests {

  /** The CRC16 slot of a key, computed by the cluster itself. */
  private static int slotOf(RedisCluster cluster, String key) {
    return Integer.parseInt(cluster.nodes().get(0).command("CLUSTER", "KEYSLOT", key));
  }

  @Test
  void aKilledMasterIsReplacedByItsReplicaWithTheData() {
    try (RedisCluster cluster = RedisCluster.builder().masters(3).replicasPerMaster(1).start()) {
      assertThat(cluster.replicas()).hasSize(3);
      String key = "failover-key";
      RedisServer master = cluster.owner(slotOf(cluster, key));
      RedisServer replica = cluster.replicas().get(cluster.nodes().indexOf(master));
      assertThat(cluster.command("SET", key, "before")).isEqualTo("OK");
      master.awaitReplicated(replica, Duration.ofSeconds(10));

      master.kill();
      cluster.awaitPromotion(replica, Duration.ofSeconds(30));
      assertThat(cluster.owner(slotOf(cluster, key))).isSameAs(replica);
      assertThat(replica.command("GET", key)).isEqualTo("before");
      assertThat(cluster.command("SET", key, "after")).isEqualTo("OK");
    }
  }

  @Test
  void aSlotMigratesWithItsKeysAndClientsAreAskedThenMoved() {
    try (RedisCluster cluster = RedisCluster.builder().masters(2).start()) {
      String tag = "{moving}";
      int slot = slotOf(cluster, tag);
      for (int i = 0; i < 250; i++) {
        assertThat(cluster.command("SET", tag + i, "v" + i)).isEqualTo("OK");
      }
      RedisServer from = cluster.owner(slot);
      RedisServer to = cluster.nodes().get(from == cluster.nodes().get(0) ? 1 : 0);

      assertThat(cluster.migrateSlot(slot, to)).isEqualTo(250);
      assertThat(cluster.owner(slot)).isSameAs(to);
      assertThat(to.command("GET", tag + 7)).isEqualTo("v7");
      assertThat(from.command("GET", tag + 7)).startsWith("ERR:MOVED " + slot);
      assertThat(cluster.command("GET", tag + 249)).isEqualTo("v249");
      assertThat(cluster.migrateSlot(slot, to)).as("already there").isZero();
      assertThatThrownBy(() -> cluster.migrateSlot(16_384, to)).hasMessageContaining("slot must be 0 to 16383");
    }
  }

  /**
   * Slots rotated between three masters back to back, as the fault suite does under load: before
   * {@code migrateSlot} waited for the nodes to agree, one migration in a few hundred left two
   * masters each naming the other as a slot's owner (found once in 381 migrations here).
   */
  @Test
  void backToBackMigrationsLeaveEveryNodeAgreeingOnTheOwner() {
    try (RedisCluster cluster = RedisCluster.builder().masters(3).replicasPerMaster(1).start()) {
      List<Integer> slots = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        slots.add(slotOf(cluster, "item:" + i));
        assertThat(cluster.command("SET", "item:" + i, "v" + i)).isEqualTo("OK");
      }
      for (int migration = 0; migration < 1_500; migration++) {
        int slot = slots.get(migration % slots.size());
        RedisServer from = cluster.owner(slot);
        RedisServer to = cluster.nodes().get((cluster.nodes().indexOf(from) + 1) % cluster.nodes().size());
        cluster.migrateSlot(slot, to);
        int item = migration % slots.size();
        for (RedisServer node : cluster.nodes()) {
          assertThat(node.command("GET", "item:" + item))
              .as("GET on %s after migration %d", node.uri(), migration)
              .isEqualTo(node == to ? "v" + item : "ERR:MOVED " + slot + " 127.0.0.1:" + to.port());
        }
      }
      for (int i = 0; i < 20; i++) {
        assertThat(cluster.command("GET", "item:" + i)).isEqualTo("v" + i);
      }
    }
  }
}
