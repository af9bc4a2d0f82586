package io.tierstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Alert rules fire once per cool-down. */
class HealthAlertIntegrationTests {
  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aFiringRuleNotifiesOncePerCoolDown() throws Exception {
    Tierstate node = nodes.start("a");
    node.metrics()
        .registerCheck("always-degraded", () -> HealthCheck.Result.degraded("for the test"));
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    node.metrics()
        .onAlert(
            AlertRule.statusAtLeast(HealthStatus.DEGRADED).coolDown(Duration.ofMillis(400)),
            alerts::add);

    node.metrics().healthCheck();
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).rule()).isEqualTo("status-at-least-degraded");
    assertThat(alerts.get(0).message()).contains("always-degraded").contains("for the test");

    node.metrics().healthCheck();
    node.metrics().healthCheck();
    assertThat(alerts).as("within the cool-down").hasSize(1);

    Thread.sleep(450);
    node.metrics().healthCheck();
    assertThat(alerts).as("after the cool-down").hasSize(2);
  }

  @Test
  void hitRateRulesAreEvaluatedOnASchedule() throws Exception {
    Tierstate node = nodes.start("a");
    node.metrics().alertEvaluationInterval(Duration.ofMillis(50));
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    node.metrics()
        .onAlert(AlertRule.hitRateBelow(0.8).coolDown(Duration.ofMinutes(5)), alerts::add);
    for (int i = 0; i < 20; i++) {
      node.cache().get("missing:" + i, String.class);
    }

    Await.until("the scheduled evaluation fires", () -> alerts.size() == 1);
    assertThat(alerts.get(0).message()).contains("hit rate 0.000 below 0.800");
    node.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    for (int i = 0; i < 20; i++) {
      node.cache().get("missing:" + i, String.class);
    }
    Thread.sleep(300); // several more evaluations
    assertThat(alerts).as("cool-down of 5 minutes").hasSize(1);
  }

  @Test
  void aHealthyNodeDoesNotAlert() {
    Tierstate node = nodes.start("a");
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    node.metrics().onAlert(AlertRule.statusAtLeast(HealthStatus.DEGRADED), alerts::add);
    node.metrics().onAlert(AlertRule.errorRateAbove(0.01), alerts::add);
    assertThat(node.metrics().healthCheck().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(alerts).isEmpty();
  }
}
