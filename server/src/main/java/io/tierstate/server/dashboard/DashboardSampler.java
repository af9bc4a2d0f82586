package io.tierstate.server.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tierstate.RedisUnavailableException;
import io.tierstate.metrics.Alert;
import io.tierstate.metrics.AlertRule;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthReport;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MeterNames;
import io.tierstate.metrics.MetricsSnapshot;
import io.tierstate.metrics.TierstateMetrics;
import io.tierstate.nodes.ClusterNode;
import io.tierstate.nodes.ClusterNodes;
import io.tierstate.server.http.RequestMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this node's meters every {@link #INTERVAL} into a ring buffer of the last 15 minutes. One
 * per server, whatever the number of viewers: a viewer only copies the samples it has not seen, so
 * the cost of reading the meters (and of the health check with its Redis round trip) is paid once
 * per interval, not once per viewer. Counters become per-interval deltas here, so the browser draws
 * rates without keeping state.
 *
 * <p>The health report is refreshed on a thread of its own every {@link #HEALTH_REFRESH} while
 * someone watches (a viewer asked within {@link #WATCHED_FOR}), and a viewer's request only reads
 * the latest report: the checks take a Redis round trip and a PostgreSQL query (tens of
 * milliseconds on a loaded machine, a command timeout while Redis hangs), which no poll should wait
 * for. Only the first viewer after a quiet spell, when no report is younger than {@link
 * #HEALTH_MAX_AGE}, waits for one. Thread-safe.
 */
public final class DashboardSampler implements AutoCloseable {
  /** How often a sample is taken. */
  public static final Duration INTERVAL = Duration.ofSeconds(2);
  /** How far back the buffer reaches. */
  public static final Duration WINDOW = Duration.ofMinutes(15);

  /** How often the health report is refreshed while someone watches. */
  public static final Duration HEALTH_REFRESH = Duration.ofSeconds(1);

  /** How long after a viewer's last request the health report is still refreshed. */
  public static final Duration WATCHED_FOR = Duration.ofSeconds(6);

  /**
   * The oldest health report handed to a viewer; the first viewer after a quiet spell waits for a
   * fresh one. Above the refresh period plus a check that waits out Redis's command timeout.
   */
  public static final Duration HEALTH_MAX_AGE = Duration.ofSeconds(5);

  static final int CAPACITY = (int) (WINDOW.toMillis() / INTERVAL.toMillis());
  private static final int MAX_ALERTS = 50;
  private static final Logger log = LoggerFactory.getLogger(DashboardSampler.class);

  private final TierstateMetrics metrics;
  private final ClusterNodes nodes;
  private final MeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final java.util.concurrent.ScheduledFuture<?> task;
  private final java.util.concurrent.ScheduledFuture<?> healthTask;
  private final ArrayDeque<Map<String, Object>> samples = new ArrayDeque<>(CAPACITY);
  private final ArrayDeque<Map<String, Object>> alerts = new ArrayDeque<>(MAX_ALERTS);
  private final Map<String, Double> previous = new HashMap<>();
  private long sequence;
  private final Object healthLock = new Object();
  private volatile @Nullable CheckedHealth latestHealth;
  // nanoTime of the last viewer's request; "long ago" until the first one
  private volatile long viewedAt = System.nanoTime() - 2 * WATCHED_FOR.toNanos();

  /**
   * Starts sampling {@code metrics} (and the propagation lag that {@code nodes} announce) at once
   * and every {@link #INTERVAL}.
   */
  public DashboardSampler(TierstateMetrics metrics, ClusterNodes nodes) {
    this.metrics = metrics;
    this.nodes = nodes;
    this.registry = metrics.registry();
    // Alerts fire while the sampler runs the health check; keep the recent ones for the page.
    metrics.onAlert(AlertRule.statusAtLeast(HealthStatus.DEGRADED).coolDown(Duration.ofMinutes(1)), this::remember);
    metrics.onAlert(AlertRule.errorRateAbove(0.05).coolDown(Duration.ofMinutes(1)), this::remember);
    // Two threads: a health check that waits out Redis's timeout must not hold up the samples.
    java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
    this.scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread thread = new Thread(r, "tierstate-dashboard-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.task = scheduler.scheduleWithFixedDelay(this::sampleSafely, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    this.healthTask = scheduler.scheduleWithFixedDelay(this::refreshHealthWhileWatched, HEALTH_REFRESH.toMillis(),
        HEALTH_REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The samples after {@code since} (a sequence number; 0 for all), oldest first. */
  public synchronized List<Map<String, Object>> since(long since) {
    List<Map<String, Object>> newer = new ArrayList<>();
    for (Map<String, Object> sample : samples) {
      if (((Number) java.util.Objects.requireNonNull(sample.get("seq"))).longValue() > since) {
        newer.add(sample);
      }
    }
    return newer;
  }

  /**
   * The latest health report with each named check, for a viewer: at most {@link
   * #HEALTH_MAX_AGE} old, normally at most {@link #HEALTH_REFRESH} plus one check's time. Marks the
   * dashboard watched, which keeps the report refreshed in the background for {@link #WATCHED_FOR}
   * (the checks write and delete a probe key in Redis, so they run only while someone watches).
   * Call it only for a viewer who may see the dashboard.
   */
  public Map<String, Object> health() {
    viewedAt = System.nanoTime();
    CheckedHealth latest = latestHealth;
    if (latest != null && latest.current()) {
      return latest.report();
    }
    synchronized (healthLock) { // the first viewer after a quiet spell: one check, shared by all waiting
      latest = latestHealth;
      if (latest != null && latest.current()) {
        return latest.report();
      }
      return checkHealth();
    }
  }

  /** A health report as the page reads it, and when it was made ({@link System#nanoTime()}). */
  private record CheckedHealth(Map<String, Object> report, long at) {
    boolean current() {
      return System.nanoTime() - at <= HEALTH_MAX_AGE.toNanos();
    }
  }

  private void refreshHealthWhileWatched() {
    if (System.nanoTime() - viewedAt > WATCHED_FOR.toNanos()) {
      return;
    }
    try {
      synchronized (healthLock) {
        checkHealth();
      }
    } catch (RuntimeException e) {
      log.warn("dashboard health refresh failed", e); // the next period tries again
    }
  }

  /** Runs the checks (which also evaluate the alert rules) and keeps the report; under healthLock. */
  private Map<String, Object> checkHealth() {
    HealthReport report = metrics.healthCheck(); // also evaluates the alert rules
    List<Map<String, Object>> checks = new ArrayList<>();
    for (HealthCheck check : report.checks()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", check.name());
      item.put("status", check.status().name());
      item.put("message", check.message());
      checks.add(item);
    }
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("status", report.status().name());
    health.put("checkedAt", report.checkedAt().toString());
    health.put("checks", checks);
    Map<String, Object> redis = new LinkedHashMap<>();
    redis.put("rttMillis", detail(report, "redis.roundtrip", "setMillis"));
    redis.put("usedBytes", detail(report, "redis.memory", "usedBytes"));
    redis.put("maxBytes", detail(report, "redis.memory", "maxBytes"));
    health.put("redis", redis);
    // Not the propagation lag (each sample's propagationLag): invalidations waiting to be applied here.
    health.put("pendingInvalidations", detail(report, "invalidations", "pendingInvalidations"));
    latestHealth = new CheckedHealth(health, System.nanoTime());
    return health;
  }

  /** The alerts that fired, newest first. */
  public synchronized List<Map<String, Object>> alerts() {
    List<Map<String, Object>> list = new ArrayList<>(alerts);
    java.util.Collections.reverse(list);
    return list;
  }

  private synchronized void remember(Alert alert) {
    if (alerts.size() == MAX_ALERTS) {
      alerts.removeFirst();
    }
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("rule", alert.rule());
    item.put("message", alert.message());
    item.put("firedAt", alert.firedAt().toString());
    alerts.addLast(item);
  }

  private void sampleSafely() {
    try {
      Map<String, Object> sample = sample();
      synchronized (this) {
        if (samples.size() == CAPACITY) {
          samples.removeFirst();
        }
        samples.addLast(sample);
      }
    } catch (RuntimeException e) {
      log.warn("dashboard sample failed", e); // the next interval tries again
    }
  }

  /** One sample; only the sampler thread calls this, so {@link #previous} needs no lock. */
  Map<String, Object> sample() {
    MetricsSnapshot snapshot = metrics.snapshot();
    Map<String, Object> s = new LinkedHashMap<>();
    synchronized (this) {
      s.put("seq", ++sequence);
    }
    s.put("t", System.currentTimeMillis());

    Map<String, Object> reads = new LinkedHashMap<>();
    reads.put("l1", delta("l1Hits", snapshot.l1Hits()));
    reads.put("l2", delta("l2Hits", snapshot.l2Hits()));
    reads.put("db", delta("loads", snapshot.loads() + snapshot.loadsAbsent()));
    s.put("reads", reads);
    s.put("l1Size", snapshot.l1Size());
    s.put("evictions", countersByTag(MeterNames.CACHE_EVICTIONS, "cause"));
    s.put("staleServed", countersByTag(MeterNames.CACHE_STALE_SERVED, "reason"));
    s.put("fillsRejected", countersByTag(MeterNames.CACHE_FILLS_REJECTED, "reason"));
    s.put("loadFailures", delta("loadFailures", snapshot.loadFailures()));

    Map<String, Object> invalidations = new LinkedHashMap<>();
    invalidations.put("sent", delta("inv.sent", counterTotal(MeterNames.INVALIDATIONS_PUBLISHED)));
    invalidations.put("received", delta("inv.received", counterTotal(MeterNames.INVALIDATIONS_RECEIVED)));
    s.put("invalidations", invalidations);
    s.put("propagationLag", propagationLag());

    Map<String, Object> latency = new TreeMap<>();
    snapshot.latencies().forEach((op, l) -> latency.put(op, percentiles(l.p50Millis(), l.p95Millis(), l.p99Millis())));
    s.put("latency", latency);
    s.put("http", httpGroups());

    Map<String, Object> redis = new LinkedHashMap<>();
    Gauge breaker = registry.find(MeterNames.BREAKER_STATE).gauge();
    redis.put("breaker", breaker == null ? null : breakerName(breaker.value()));
    CheckedHealth checked = latestHealth;
    if (checked != null && checked.current()) {
      Map<String, Object> health = checked.report();
      // Drawn over time while someone watches (the checks run only then).
      Map<?, ?> fromHealth = (Map<?, ?>) java.util.Objects.requireNonNull(health.get("redis"));
      redis.put("rttMillis", fromHealth.get("rttMillis"));
      redis.put("usedBytes", fromHealth.get("usedBytes"));
      redis.put("maxBytes", fromHealth.get("maxBytes"));
      s.put("health", health.get("status"));
      // 1 while this node has invalidations it has not applied yet (the check says yes or no).
      s.put("pendingInvalidations", Boolean.TRUE.equals(health.get("pendingInvalidations")) ? 1 : 0);
    }
    s.put("redis", redis);

    Map<String, Object> writeBehind = new LinkedHashMap<>();
    writeBehind.put("pending", snapshot.writeBehind().pending());
    writeBehind.put("lagSeconds", snapshot.writeBehind().lagSeconds());
    writeBehind.put("unreachableSeconds", snapshot.writeBehind().unreachableSeconds());
    writeBehind.put("deadLetters", delta("wb.dead", snapshot.writeBehind().failures()));
    s.put("writeBehind", writeBehind);

    s.put("rateLimit", rateLimitDecisions());
    Map<String, Object> consistency = consistency();
    if (consistency != null) {
      s.put("consistency", consistency);
    }
    Map<String, Object> sessions = new LinkedHashMap<>();
    sessions.put("started", delta("sess.started", snapshot.sessions().created()));
    sessions.put("ended", delta("sess.ended", snapshot.sessions().deleted() + snapshot.sessions().evicted()));
    s.put("sessions", sessions);
    return s;
  }

  /**
   * Each live node's invalidation propagation lag in milliseconds: the longest time another node's
   * invalidation took to reach it over the last two minutes or so (the windowed maximum of {@link
   * MeterNames#INVALIDATION_LAG}, what every heartbeat announces). This node's is read from its own
   * meter, fresher than its heartbeat; the others' from their last heartbeat in Redis (two round
   * trips per interval, whatever the number of viewers). Only this node's while Redis cannot be
   * reached.
   */
  private Map<String, Long> propagationLag() {
    Map<String, Long> lag = new TreeMap<>();
    try {
      for (ClusterNode node : nodes.list()) {
        if (node.status() == ClusterNode.Status.LIVE) {
          lag.put(node.id(), node.invalidationLag().toMillis());
        }
      }
    } catch (RedisUnavailableException e) {
      // the other nodes' lag is unknown this interval: a gap in their lines
    }
    Timer own = registry.find(MeterNames.INVALIDATION_LAG).timer();
    lag.put(nodes.nodeId(), own == null ? 0 : (long) Math.ceil(own.max(TimeUnit.MILLISECONDS)));
    return lag;
  }

  /**
   * The consistency auditor's nines and ratio over its window, and its samples and confirmed
   * inconsistencies in this interval; null while it is off (no verifier registered).
   */
  private @Nullable Map<String, Object> consistency() {
    Gauge nines = registry.find(MeterNames.AUDIT_NINES).gauge();
    Gauge ratio = registry.find(MeterNames.AUDIT_RATIO).gauge();
    if (nines == null || ratio == null) {
      return null;
    }
    double decided = 0;
    double inconsistent = 0;
    for (Counter counter : registry.find(MeterNames.AUDIT_SAMPLES).counters()) {
      String outcome = counter.getId().getTag("outcome");
      if ("inconsistent".equals(outcome)) {
        inconsistent += counter.count();
      }
      if (!"error".equals(outcome)) {
        decided += counter.count();
      }
    }
    Map<String, Object> consistency = new LinkedHashMap<>();
    // NaN (no sample decided yet) is not JSON: null, drawn as a gap.
    consistency.put("nines", finite(nines.value(), 100));
    consistency.put("ratio", finite(ratio.value(), 1_000_000));
    consistency.put("samples", delta("audit.decided", decided));
    consistency.put("inconsistent", delta("audit.inconsistent", inconsistent));
    return consistency;
  }

  private static @Nullable Double finite(double value, int scale) {
    return Double.isFinite(value) ? Math.round(value * scale) / (double) scale : null;
  }

  private long delta(String name, long total) {
    return delta(name, (double) total);
  }

  /** How much {@code total} grew since the last sample (0 the first time, never negative). */
  private long delta(String name, double total) {
    Double before = previous.put(name, total);
    return before == null ? 0 : Math.max(0, Math.round(total - before));
  }

  private double counterTotal(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private Map<String, Long> countersByTag(String name, String tag) {
    Map<String, Double> totals = new TreeMap<>();
    for (Counter counter : registry.find(name).counters()) {
      String value = String.valueOf(counter.getId().getTag(tag));
      totals.merge(value, counter.count(), Double::sum);
    }
    Map<String, Long> deltas = new TreeMap<>();
    totals.forEach((value, total) -> deltas.put(value, delta(name + "|" + value, total)));
    return deltas;
  }

  /** Decisions per policy since the last sample, allowed and denied. */
  private Map<String, Map<String, Long>> rateLimitDecisions() {
    Map<String, Double> totals = new TreeMap<>();
    for (Counter counter : registry.find(MeterNames.RATE_LIMIT_DECISIONS).counters()) {
      String key = counter.getId().getTag("policy") + "|" + counter.getId().getTag("result");
      totals.merge(key, counter.count(), Double::sum);
    }
    Map<String, Map<String, Long>> byPolicy = new TreeMap<>();
    totals.forEach((key, total) -> {
      String[] parts = key.split("\\|", 2);
      byPolicy.computeIfAbsent(parts[0], p -> new TreeMap<>()).put(parts[1], delta("rl|" + key, total));
    });
    return byPolicy;
  }

  /** p50/p95/p99 and request count per HTTP route group (see {@link RequestMetrics}). */
  private Map<String, Object> httpGroups() {
    Map<String, Object> groups = new TreeMap<>();
    for (Meter meter : registry.find(RequestMetrics.GROUP_TIMER).meters()) {
      if (!(meter instanceof Timer timer)) {
        continue;
      }
      String group = String.valueOf(timer.getId().getTag("group"));
      HistogramSnapshot histogram = timer.takeSnapshot();
      double p50 = 0;
      double p95 = 0;
      double p99 = 0;
      for (ValueAtPercentile v : histogram.percentileValues()) {
        double millis = v.value(TimeUnit.MILLISECONDS);
        if (v.percentile() == 0.5) {
          p50 = millis;
        } else if (v.percentile() == 0.95) {
          p95 = millis;
        } else if (v.percentile() == 0.99) {
          p99 = millis;
        }
      }
      Map<String, Object> values = percentiles(p50, p95, p99);
      values.put("count", delta("http|" + group, histogram.count()));
      groups.put(group, values);
    }
    return groups;
  }

  private static Map<String, Object> percentiles(double p50, double p95, double p99) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("p50", round(p50));
    values.put("p95", round(p95));
    values.put("p99", round(p99));
    return values;
  }

  private static double round(double millis) {
    return Math.round(millis * 1000) / 1000.0;
  }

  private static @Nullable String breakerName(double value) {
    return switch ((int) value) {
      case 0 -> "CLOSED";
      case 1 -> "OPEN";
      case 2 -> "HALF_OPEN";
      default -> null;
    };
  }

  private static @Nullable Object detail(HealthReport report, String check, String detail) {
    for (HealthCheck c : report.checks()) {
      if (c.name().equals(check)) {
        return c.details().get(detail);
      }
    }
    return null;
  }

  @Override
  public void close() {
    task.cancel(false);
    healthTask.cancel(false);
    scheduler.shutdownNow();
  }
}
