package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisClusterIntegrationTests {
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void closeCluster() {
    cluster.close();
  }

  @Test
  void everyNodeReportsStateOkAndKnowsTheOthers() {
    assertThat(cluster.nodes()).hasSize(3);
    for (RedisServer node : cluster.nodes()) {
      assertThat(node.command("CLUSTER", "INFO"))
          .contains("cluster_state:ok")
          .contains("cluster_slots_assigned:16384")
          .contains("cluster_known_nodes:3");
    }
  }

  @Test
  void slotsCoverAllOf16384() throws IOException {
    List<?> ranges =
        (List<?>) Resp.call(cluster.nodes().get(1).port(), Resp.DEFAULT_TIMEOUT, "CLUSTER", "SLOTS");
    long covered = 0;
    for (Object range : ranges) {
      List<?> fields = (List<?>) range;
      covered += (Long) fields.get(1) - (Long) fields.get(0) + 1;
    }
    assertThat(ranges).hasSize(3);
    assertThat(covered).isEqualTo(16_384);
  }

  @Test
  void aKeySetOnTheClusterIsReadableAndLivesOnOneNode() {
    assertThat(cluster.command("SET", "greeting", "hello")).isEqualTo("OK");
    assertThat(cluster.command("GET", "greeting")).isEqualTo("hello");

    List<String> replies =
        cluster.nodes().stream().map(node -> node.command("EXISTS", "greeting")).toList();
    assertThat(replies).filteredOn("1"::equals).hasSize(1);
    assertThat(replies).filteredOn(reply -> reply.startsWith("ERR:MOVED ")).hasSize(2);
  }

  @Test
  void urisListEveryNode() {
    List<RedisServer> nodes = cluster.nodes();
    assertThat(cluster.nodeUris())
        .containsExactly(nodes.get(0).uri(), nodes.get(1).uri(), nodes.get(2).uri());
    assertThat(cluster.uri())
        .isEqualTo(
            "redis-cluster://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d",
            nodes.get(0).port(), nodes.get(1).port(), nodes.get(2).port());
  }
}
