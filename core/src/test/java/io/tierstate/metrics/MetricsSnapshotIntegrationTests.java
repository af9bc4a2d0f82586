package io.tierstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The snapshot: hit rates, latency percentiles per operation, errors by kind, absent meters as
 * zeros.
 */
class MetricsSnapshotIntegrationTests {
  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void l2GetsHavePercentiles() {
    Tierstate writer = nodes.start("writer");
    Tierstate reader = nodes.start("reader");
    for (int i = 0; i < 20; i++) {
      writer.cache().set("k" + i, "v" + i, CacheOptions.ttl(Duration.ofMinutes(1)));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(reader.cache().get("k" + i, String.class)).contains("v" + i); // L1 miss, L2 hit
    }

    MetricsSnapshot snapshot = reader.metrics().snapshot();

    assertThat(snapshot.l2Hits()).isEqualTo(20);
    assertThat(snapshot.hitRate()).isEqualTo(1.0);
    assertThat(snapshot.l2HitRate()).isEqualTo(1.0);
    MetricsSnapshot.Latency get = snapshot.latencies().get("get");
    assertThat(get).as("latencies %s", snapshot.latencies()).isNotNull();
    assertThat(get.count()).isGreaterThanOrEqualTo(20);
    assertThat(get.p50Millis()).isGreaterThan(0);
    assertThat(get.p95Millis()).isGreaterThanOrEqualTo(get.p50Millis());
    assertThat(get.p99Millis()).isGreaterThanOrEqualTo(get.p95Millis());
    assertThat(snapshot.errorsByKind()).containsKeys("redis", "corrupt", "codec", "listener");
    assertThat(snapshot.errorsByKind().values()).allMatch(count -> count == 0);
    assertThat(snapshot.evictionsByCause()).containsKeys("size", "expired");
  }

  @Test
  void absentMetersAreZeros() {
    Tierstate node = nodes.start("a");
    MetricsSnapshot snapshot = node.metrics().snapshot();
    assertThat(snapshot.writeBehind()).isEqualTo(MetricsSnapshot.WriteBehind.NONE);
    assertThat(snapshot.sessions()).isEqualTo(MetricsSnapshot.Sessions.NONE);
    assertThat(MetricsSnapshot.empty().latencies()).isEmpty();
  }
}
