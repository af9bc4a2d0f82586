package io.tierstate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.Alert;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The auditor on two real nodes sharing a real Redis: a source of truth changed behind the cache's
 * back is found within the documented bound, repaired on both nodes, counted and alerted on.
 */
class ConsistencyAuditorIntegrationTests {
  private static final CacheOptions HOUR = CacheOptions.ttl(Duration.ofHours(1));
  private static final AuditOptions FAST =
      AuditOptions.defaults().samplesPerSecond(50).propagationWindow(Duration.ofMillis(500));

  /** The source of truth: a map the application reads through the cache. */
  private final Map<String, String> source = new ConcurrentHashMap<>();

  private Nodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private String read(Tierstate node, String key) {
    return node.cache().getOrLoad(key, String.class, () -> source.get(key), HOUR);
  }

  private void audit(Tierstate node) {
    node.audit()
        .options(FAST)
        .verify("item:*", String.class, (key, cached) -> cached.equals(source.get(key)));
  }

  private static double count(Tierstate node, String outcome) {
    MeterRegistry registry = node.metrics().registry();
    return registry.find(MeterNames.AUDIT_SAMPLES).tag("outcome", outcome).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static double tier(Tierstate node, String tier) {
    return node
        .metrics()
        .registry()
        .find(MeterNames.AUDIT_SAMPLES)
        .tag("tier", tier)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void isOffUntilAVerifierIsRegistered() {
    nodes = Nodes.onSharedRedis();
    Tierstate a = nodes.start("a");
    assertThat(a.audit().enabled()).isFalse();
    assertThat(a.metrics().registry().find(MeterNames.AUDIT_NINES).gauge()).isNull();
    assertThat(a.audit().report().enabled()).isFalse();
    audit(a);
    assertThat(a.audit().enabled()).isTrue();
    assertThat(a.metrics().registry().find(MeterNames.AUDIT_NINES).gauge()).isNotNull();
  }

  @Test
  void aWriteTheCacheNeverHeardOfIsFoundWithinTheBoundRepairedOnEveryNodeCountedAndAlerted() {
    nodes = Nodes.onSharedRedis();
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    for (int i = 1; i <= 5; i++) {
      source.put("item:" + i, "v1");
      assertThat(read(a, "item:" + i)).isEqualTo("v1");
      assertThat(read(b, "item:" + i)).isEqualTo("v1"); // from L2 into b's L1
    }
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    List<Inconsistency> found = new CopyOnWriteArrayList<>();
    for (Tierstate node : List.of(a, b)) {
      audit(node);
      node.metrics().onAlert(node.audit().alertRule(), alerts::add);
      node.audit().onInconsistency(found::add);
    }
    Await.until(
        "both auditors have looked at the entries and found them consistent",
        () -> a.audit().report().consistent() >= 5 && b.audit().report().consistent() >= 5);
    assertThat(count(a, "inconsistent") + count(b, "inconsistent")).isZero();
    Await.until("both auditors sample their L1 too", () -> tier(a, "l1") > 0 && tier(b, "l1") > 0);

    long changed = System.nanoTime();
    source.put("item:3", "v2"); // an outside writer: nobody invalidates
    assertThat(read(a, "item:3")).as("the cache does not know yet").isEqualTo("v1");

    Duration bound = FAST.detectionBound(5, Duration.ofMillis(5));
    Await.until(
        "an auditor confirms item:3 inconsistent and repairs it",
        () -> !found.isEmpty(),
        bound.plusSeconds(2));
    Duration took = Duration.ofNanos(System.nanoTime() - changed);
    assertThat(took).as("found within the documented bound %s", bound).isLessThanOrEqualTo(bound);
    assertThat(found.getFirst().key()).isEqualTo("item:3");
    assertThat(found.getFirst().repaired()).isTrue();
    assertThat(found.getFirst().staleFor()).isGreaterThanOrEqualTo(FAST.propagationWindow());

    // Repaired on every node: the next read loads the new value on both.
    Await.until(
        "both nodes serve v2",
        () -> read(a, "item:3").equals("v2") && read(b, "item:3").equals("v2"));

    assertThat(count(a, "inconsistent") + count(b, "inconsistent")).isGreaterThanOrEqualTo(1);
    assertThat(a.audit().report().inconsistent() + b.audit().report().inconsistent())
        .isGreaterThanOrEqualTo(1);
    Tierstate finder = a.audit().report().inconsistent() > 0 ? a : b;
    finder.metrics().evaluateAlerts();
    assertThat(alerts)
        .anySatisfy(
            alert -> {
              assertThat(alert.rule()).isEqualTo("consistency-inconsistent");
              assertThat(alert.message()).contains("item:3");
            });
    AuditReport report = finder.audit().report();
    assertThat(report.windowInconsistent()).isGreaterThanOrEqualTo(1);
    assertThat(report.ratio()).isLessThan(1.0);
    assertThat(report.nines()).isFinite();
    assertThat(report.meanSampleCost()).isPositive();
    // The figure docs/consistency-audit.md quotes.
    System.out.println(
        "audit cost per sample (map verifier, loopback Redis): "
            + report.meanSampleCost()
            + " mean over "
            + (report.consistent() + report.staleInWindow() + report.inconsistent())
            + " samples");
    // The other entries stayed consistent, and no entry was repaired but the one changed.
    assertThat(found).allSatisfy(i -> assertThat(i.key()).isEqualTo("item:3"));
    assertThat(read(b, "item:1")).isEqualTo("v1");
  }

  @Test
  void aVerifierThatHangsIsCutOffAndCountedAsAnErrorNotAVerdict() {
    nodes = Nodes.onSharedRedis();
    Tierstate a = nodes.start("a");
    source.put("slow:1", "v");
    a.cache().set("slow:1", "v", HOUR);
    a.audit()
        .options(FAST.verifierTimeout(Duration.ofMillis(50)))
        .verify(
            "slow:*",
            String.class,
            (key, cached) -> {
              Thread.sleep(10_000);
              return false;
            });
    Await.until("a sample timed out", () -> a.audit().report().errors() >= 1);
    AuditReport report = a.audit().report();
    assertThat(report.inconsistent()).isZero();
    assertThat(report.windowSamples()).isZero();
    assertThat(report.meanSampleCost()).isLessThan(Duration.ofSeconds(1));
  }
}
