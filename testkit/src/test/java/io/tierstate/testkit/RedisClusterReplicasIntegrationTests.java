package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
}
