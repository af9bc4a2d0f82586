package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.audit.AuditOptions;
import io.tierstate.audit.Inconsistency;
import io.tierstate.cache.CacheOptions;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a deliberately lost invalidation (its entry removed from the log before a node read it,
 * with that node's loss detection switched off) is found by the consistency auditor within its
 * documented bound and repaired. The auditor is the safety net under the log: whatever reason an
 * invalidation never arrives for, a stale entry does not live until its TTL.
 */
class LostInvalidationAuditIntegrationTests {
  private static final CacheOptions HOUR = CacheOptions.ttl(Duration.ofHours(1));
  private static final AuditOptions AUDIT =
      AuditOptions.defaults().samplesPerSecond(50).propagationWindow(Duration.ofSeconds(1));

  private final Map<String, String> source = new ConcurrentHashMap<>();
  private Nodes nodes;
  private FaultProxy proxy;

  @AfterEach
  void stop() {
    if (nodes != null) {
      InvalidationLog.lossDetectionForTests(nodes.namespace(), "b", true);
      nodes.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private String read(Tierstate node, String key) {
    return node.cache().getOrLoad(key, String.class, () -> source.get(key), HOUR);
  }

  /**
   * The ids of the log's entries that name {@code key}, newest first, down to the newest entry that
   * names {@code since} (exclusive). {@code XREVRANGE}'s reply arrives flattened, a line per id,
   * field and value.
   */
  private List<String> entriesNaming(String key, String since) {
    String reply =
        nodes.redis().command("XREVRANGE", nodes.namespace() + ":log", "+", "-", "COUNT", "50");
    List<String> ids = new ArrayList<>();
    String current = "";
    for (String line : String.valueOf(reply).lines().toList()) {
      if (line.matches("\\d+-\\d+")) {
        current = line;
      } else if (!current.isEmpty() && line.equals(since)) {
        return ids;
      } else if (!current.isEmpty() && line.equals(key) && !ids.contains(current)) {
        ids.add(current);
      }
    }
    return ids;
  }

  @Test
  void anInvalidationRemovedFromTheLogBeforeANodeReadItIsFoundByTheAuditorAndRepaired() {
    nodes = Nodes.onSharedRedis();
    proxy = FaultProxy.to("127.0.0.1", nodes.redis().port());
    Tierstate a = nodes.start("a");
    // b reaches Redis through the proxy, and keeps L1 entries through the short outage below.
    Tierstate b =
        nodes.start("b", c -> c.redisUrl(proxy.redisUri()).degradedL1Ttl(Duration.ofMinutes(1)));
    InvalidationLog.lossDetectionForTests(nodes.namespace(), "b", false);
    for (int i = 1; i <= 3; i++) {
      source.put("item:" + i, "v1");
      assertThat(read(a, "item:" + i)).isEqualTo("v1");
      assertThat(read(b, "item:" + i)).isEqualTo("v1");
    }
    // a's fills are logged, and drop b's copies as they arrive: let them all arrive (the log is in
    // order, so once b heard of a later write it heard of the fills), then fill b's L1 for good.
    List<String> heard = new CopyOnWriteArrayList<>();
    b.invalidator().onInvalidation(event -> heard.addAll(event.keys()));
    a.cache().set("sync", "1", HOUR);
    Await.until("b heard of a's writes", () -> heard.contains("sync"));
    for (int i = 1; i <= 3; i++) {
      assertThat(read(b, "item:" + i)).isEqualTo("v1");
    }
    List<Inconsistency> found = new CopyOnWriteArrayList<>();
    for (Tierstate node : List.of(a, b)) {
      node.audit()
          .options(AUDIT)
          .verify("item:*", String.class, (key, cached) -> cached.equals(source.get(key)));
      node.audit().onInconsistency(found::add);
    }

    // b loses its connections and cannot open new ones; meanwhile a's write and invalidation go
    // through, and the log entry that would tell b is deleted; then b reconnects and resumes from
    // the last entry it saw, which no longer has a successor.
    proxy.refuseNew(true);
    proxy.resetConnections();
    Await.until("b noticed it cannot read the log", () -> !b.invalidationsFlowing());
    source.put("item:2", "v2");
    a.invalidator().invalidateKeys("item:2");
    // Every entry naming item:2 since the one b saw last: a's first delete can log twice (a server
    // that had not seen the delete script yet answers NOSCRIPT, and the entry is appended again
    // after the resent script), and b would replay the one left.
    List<String> entries = entriesNaming("item:2", "sync");
    assertThat(entries).isNotEmpty();
    for (String id : entries) {
      assertThat(nodes.redis().command("XDEL", nodes.namespace() + ":log", id)).isEqualTo("1");
    }
    long lost = System.nanoTime();
    proxy.heal();

    Await.until("b reads the log again", b::invalidationsFlowing);
    assertThat(a.cache().get("item:2", String.class)).as("a was told").isEmpty();
    // Without loss detection nothing tells b: it still serves the old value from its L1. (The
    // auditor may already have repaired it if the reconnect took longer than its window.)
    assertThat(
            found.isEmpty() ? b.cache().get("item:2", String.class) : java.util.Optional.of("v1"))
        .contains("v1");

    Duration bound = AUDIT.detectionBound(3, Duration.ofMillis(10));
    try {
      Await.until(
          "an auditor confirms item:2 inconsistent and repairs it",
          () -> !found.isEmpty(),
          bound.plusSeconds(5));
    } catch (AssertionError e) {
      StringBuilder why = new StringBuilder(e.getMessage());
      why.append("\na: ").append(a.audit().report()).append("\nb: ").append(b.audit().report());
      why.append("\nfound: ").append(found);
      for (Tierstate node : List.of(a, b)) {
        node.metrics()
            .registry()
            .find(io.tierstate.metrics.MeterNames.AUDIT_SAMPLES)
            .counters()
            .forEach(
                c ->
                    why.append("\n")
                        .append(node.nodeId())
                        .append(c.getId().getTags())
                        .append('=')
                        .append(c.count()));
      }
      why.append("\nb get: ").append(b.cache().get("item:2", String.class));
      Thread.getAllStackTraces()
          .forEach(
              (thread, stack) -> {
                if (thread.getName().startsWith("tierstate-audit")) {
                  why.append("\n").append(thread.getName());
                  for (StackTraceElement frame : stack) {
                    why.append("\n  at ").append(frame);
                  }
                }
              });
      throw new AssertionError(why.toString(), e);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - lost);
    // The bound, plus b's reconnect after the reset (its backoff is at most 1 s).
    assertThat(took).isLessThanOrEqualTo(bound.plusSeconds(1));
    assertThat(found).allSatisfy(i -> assertThat(i.key()).isEqualTo("item:2"));
    assertThat(found).anySatisfy(i -> assertThat(i.tier()).isEqualTo("l1"));
    assertThat(b.audit().report().inconsistent()).isGreaterThanOrEqualTo(1);
    Await.until("b serves v2", () -> read(b, "item:2").equals("v2"));
    assertThat(read(b, "item:1")).isEqualTo("v1");
    assertThat(read(a, "item:2")).isEqualTo("v2");
  }
}
