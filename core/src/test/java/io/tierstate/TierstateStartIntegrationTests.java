package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node that fails to start leaves nothing running behind it. */
class TierstateStartIntegrationTests {

  @Test
  void aStartThatFailsLateClosesWhatItOpened() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // One of the last steps of the start registers this meter: fail it there, after the
    // connections, the invalidation listener and the background threads are up.
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                if (id.getName().equals(MeterNames.NAMESPACE_BUMPS)) {
                  throw new IllegalStateException("refused by the test");
                }
                return id;
              }
            });
    try (Nodes nodes = Nodes.onSharedRedis()) {
      TierstateConfig config = nodes.config("failing-start").meterRegistry(registry).build();

      assertThatThrownBy(() -> Tierstate.create(config))
          .hasMessageContaining("refused by the test");

      Await.until("the failed node's threads end", () -> threadsOf("failing-start").isEmpty());
      assertThat(threadsOf("failing-start")).isEmpty();
    }
  }

  private static List<String> threadsOf(String nodeId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("tierstate-") && name.endsWith("-" + nodeId))
        .toList();
  }
}
