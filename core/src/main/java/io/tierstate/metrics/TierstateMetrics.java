package io.tierstate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tierstate's metrics: the Micrometer registry every feature records into, summaries of it ({@link
 * #snapshot()}), the Prometheus scrape ({@link #prometheus()}), the node's health ({@link
 * #healthCheck()}) and alerts ({@link #onAlert}).
 *
 * <p>Thread-safe.
 */
public final class TierstateMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TierstateMetrics.class);

  /** How often alert rules are evaluated unless changed with {@link #alertEvaluationInterval}. */
  public static final Duration DEFAULT_ALERT_INTERVAL = Duration.ofSeconds(10);

  private final MeterRegistry registry;
  private final @Nullable PrometheusMeterRegistry prometheus;
  private final @Nullable BiConsumer<HealthThresholds, List<HealthCheck>> node;
  private final Map<String, Supplier<HealthCheck.Result>> extraChecks = new ConcurrentHashMap<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile HealthThresholds thresholds = HealthThresholds.defaults();
  private volatile Duration alertInterval = DEFAULT_ALERT_INTERVAL;
  private @Nullable ScheduledExecutorService alertScheduler;
  private @Nullable ScheduledFuture<?> alertTask;
  private boolean closed;

  /**
   * Metrics read from {@code registry}, with no built-in health checks (only {@linkplain
   * #registerCheck registered} ones). {@link #prometheus()} works when {@code registry} is, or
   * contains, a {@link PrometheusMeterRegistry}.
   */
  public TierstateMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.prometheus = findPrometheus(registry);
    this.node = null;
  }

  /**
   * The metrics of one node, with built-in health checks that run first on every {@link
   * #healthCheck()}. {@code Tierstate} builds one per node with its Redis, breaker, invalidation
   * and L1 checks: use {@code Tierstate.metrics()}.
   *
   * @param registry the registry every meter is registered in
   * @param prometheus the Prometheus registry inside {@code registry} that {@link #prometheus()}
   *     scrapes
   * @param builtInChecks adds the results of the built-in checks, run within the given thresholds,
   *     to the list it is given
   */
  public TierstateMetrics(
      MeterRegistry registry,
      PrometheusMeterRegistry prometheus,
      BiConsumer<HealthThresholds, List<HealthCheck>> builtInChecks) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.node = builtInChecks;
  }

  /**
   * The Prometheus registry that {@code registry} is or contains (searching composites), or null.
   */
  public static @Nullable PrometheusMeterRegistry findPrometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        PrometheusMeterRegistry found = findPrometheus(child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The registry; bind it to your monitoring system, or pass your own in the configuration. */
  public MeterRegistry registry() {
    return registry;
  }

  // ---------------------------------------------------------------------------------- snapshot

  /** The cache's counters, hit rates, latencies and feature counters now. */
  public MetricsSnapshot snapshot() {
    long l1Hits = requests(registry, "l1", "hit");
    long l1Misses = requests(registry, "l1", "miss");
    long l2Hits = requests(registry, "l2", "hit");
    long l2Misses = requests(registry, "l2", "miss");
    long reads = l1Hits + l1Misses;
    Gauge size = registry.find(MeterNames.CACHE_L1_SIZE).gauge();
    return new MetricsSnapshot(
        ratio(l1Hits + l2Hits, reads),
        ratio(l1Hits, reads),
        ratio(l2Hits, l2Hits + l2Misses),
        l1Hits,
        l1Misses,
        l2Hits,
        l2Misses,
        count(registry.find(MeterNames.CACHE_LOADS).tag("result", "success")),
        count(registry.find(MeterNames.CACHE_LOADS).tag("result", "absent")),
        count(registry.find(MeterNames.CACHE_LOADS).tag("result", "failure")),
        count(registry.find(MeterNames.CACHE_ERRORS)),
        count(registry.find(MeterNames.CACHE_EVICTIONS)),
        count(registry.find(MeterNames.CACHE_STALE_SERVED)),
        size == null ? 0 : (long) size.value(),
        latencies(),
        countsByTag(MeterNames.CACHE_ERRORS, "kind"),
        countsByTag(MeterNames.CACHE_EVICTIONS, "cause"),
        new MetricsSnapshot.Sessions(
            count(registry.find(MeterNames.SESSIONS_CREATED)),
            count(registry.find(MeterNames.SESSIONS_DELETED)),
            count(registry.find(MeterNames.SESSIONS_EVICTED)),
            count(registry.find(MeterNames.SESSIONS_VALIDATION_FAILURES))),
        new MetricsSnapshot.WriteBehind(
            count(registry.find(MeterNames.WRITE_BEHIND_WRITES)),
            count(registry.find(MeterNames.WRITE_BEHIND_DELIVERED)),
            count(registry.find(MeterNames.WRITE_BEHIND_DEAD_LETTERS)),
            (long) gaugeSum(registry.find(MeterNames.WRITE_BEHIND_QUEUE_DEPTH)),
            gaugeMax(registry.find(MeterNames.WRITE_BEHIND_LAG)),
            gaugeMax(registry.find(MeterNames.WRITE_BEHIND_UNREACHABLE))));
  }

  private Map<String, MetricsSnapshot.Latency> latencies() {
    Map<String, MetricsSnapshot.Latency> byOperation = new TreeMap<>();
    for (Timer timer : registry.find(MeterNames.CACHE_OPERATION_DURATION).timers()) {
      String operation = timer.getId().getTag("operation");
      HistogramSnapshot snapshot = timer.takeSnapshot();
      double p50 = 0;
      double p95 = 0;
      double p99 = 0;
      for (ValueAtPercentile value : snapshot.percentileValues()) {
        double millis = value.value(TimeUnit.MILLISECONDS);
        if (value.percentile() == 0.5) {
          p50 = millis;
        } else if (value.percentile() == 0.95) {
          p95 = millis;
        } else if (value.percentile() == 0.99) {
          p99 = millis;
        }
      }
      byOperation.put(
          operation == null ? "unknown" : operation,
          new MetricsSnapshot.Latency(
              timer.count(),
              timer.mean(TimeUnit.MILLISECONDS),
              snapshot.max(TimeUnit.MILLISECONDS),
              p50,
              p95,
              p99));
    }
    return byOperation;
  }

  private Map<String, Long> countsByTag(String name, String tag) {
    Map<String, Long> counts = new TreeMap<>();
    for (Counter counter : registry.find(name).counters()) {
      String value = counter.getId().getTag(tag);
      counts.merge(value == null ? "unknown" : value, (long) counter.count(), Long::sum);
    }
    return counts;
  }

  /**
   * A request counter's count. Inside Tierstate's own composite these counters live in the user's
   * registry only (see {@code CacheMeters}): a registry that holds none is searched through.
   */
  private static long requests(MeterRegistry registry, String tier, String result) {
    Search search =
        registry.find(MeterNames.CACHE_REQUESTS).tag("tier", tier).tag("result", result);
    if (!search.counters().isEmpty() || !(registry instanceof CompositeMeterRegistry composite)) {
      return count(search);
    }
    for (MeterRegistry child : composite.getRegistries()) {
      long found = requests(child, tier, result);
      if (found != 0) {
        return found;
      }
    }
    return 0;
  }

  private static long count(Search search) {
    double total = 0;
    for (Counter counter : search.counters()) {
      total += counter.count();
    }
    return (long) total;
  }

  private static double gaugeSum(Search search) {
    double total = 0;
    for (Gauge gauge : search.gauges()) {
      double value = gauge.value();
      total += Double.isNaN(value) ? 0 : value;
    }
    return total;
  }

  private static double gaugeMax(Search search) {
    double max = 0;
    for (Gauge gauge : search.gauges()) {
      double value = gauge.value();
      max = Double.isNaN(value) ? max : Math.max(max, value);
    }
    return max;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  // -------------------------------------------------------------------------------- prometheus

  /**
   * Every Tierstate meter in the Prometheus text exposition format, for a {@code /metrics}
   * endpoint.
   *
   * @throws IllegalStateException if these metrics were made over a registry without a {@link
   *     PrometheusMeterRegistry} (never for {@code Tierstate.metrics()})
   */
  public String prometheus() {
    PrometheusMeterRegistry scraped = prometheus;
    if (scraped == null) {
      throw new IllegalStateException(
          "no PrometheusMeterRegistry in "
              + registry.getClass().getSimpleName()
              + "; use Tierstate.metrics()");
    }
    return scraped.scrape();
  }

  // ------------------------------------------------------------------------------------ health

  /** The thresholds the built-in health checks use. */
  public HealthThresholds thresholds() {
    return thresholds;
  }

  /** Replaces the thresholds the built-in health checks use; returns this. */
  public TierstateMetrics thresholds(HealthThresholds thresholds) {
    this.thresholds = thresholds;
    return this;
  }

  /**
   * Adds a health check of your own (or of a Tierstate feature, such as write-behind lag), run by
   * every {@link #healthCheck()} after the built-in ones. It must return quickly; an exception
   * makes it UNHEALTHY. Registering a name again replaces the check.
   */
  public void registerCheck(String name, Supplier<HealthCheck.Result> check) {
    extraChecks.put(name, check);
  }

  /** Removes the check registered as {@code name}; returns whether there was one. */
  public boolean unregisterCheck(String name) {
    return extraChecks.remove(name) != null;
  }

  /**
   * Runs every health check now and evaluates alert rules with the result. The Redis checks share
   * one time budget (the smaller of {@link HealthThresholds#redisTimeout()} and the command
   * timeout), so a hung Redis cannot make this hang.
   */
  public HealthReport healthCheck() {
    HealthReport report = runChecks();
    evaluateAlerts(report);
    return report;
  }

  private HealthReport runChecks() {
    Instant checkedAt = Instant.now();
    long start = System.nanoTime();
    List<HealthCheck> checks = new ArrayList<>();
    BiConsumer<HealthThresholds, List<HealthCheck>> builtIn = node;
    if (builtIn != null) {
      builtIn.accept(thresholds, checks);
    }
    for (Map.Entry<String, Supplier<HealthCheck.Result>> extra :
        new TreeMap<>(extraChecks).entrySet()) {
      long checkStart = System.nanoTime();
      HealthCheck.Result result;
      try {
        result = extra.getValue().get();
      } catch (RuntimeException e) {
        result = HealthCheck.Result.unhealthy("check failed: " + e);
      }
      checks.add(
          new HealthCheck(
              extra.getKey(),
              result.status(),
              result.message(),
              Duration.ofNanos(Math.max(0, System.nanoTime() - checkStart)),
              result.details()));
    }
    HealthStatus overall = HealthStatus.HEALTHY;
    for (HealthCheck check : checks) {
      overall = overall.worst(check.status());
    }
    return new HealthReport(
        overall, checkedAt, Duration.ofNanos(System.nanoTime() - start), checks);
  }

  // ------------------------------------------------------------------------------------ alerts

  /**
   * Notifies {@code listener} when {@code rule} fires, at most once per the rule's cool-down. Rules
   * are evaluated every {@link #alertEvaluationInterval() interval} (default 10 s) and on every
   * {@link #healthCheck()}. The listener runs on the evaluating thread; its exceptions are logged.
   */
  public void onAlert(AlertRule rule, Consumer<Alert> listener) {
    subscriptions.add(new Subscription(rule, listener));
    schedule();
  }

  /** How often alert rules are evaluated in the background. */
  public Duration alertEvaluationInterval() {
    return alertInterval;
  }

  /**
   * Sets how often alert rules are evaluated in the background; returns this.
   *
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  public TierstateMetrics alertEvaluationInterval(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, but was " + interval);
    }
    this.alertInterval = interval;
    synchronized (this) {
      if (alertTask != null) {
        alertTask.cancel(false);
        alertTask = null;
      }
    }
    schedule();
    return this;
  }

  private synchronized void schedule() {
    if (closed || alertTask != null || subscriptions.isEmpty()) {
      return;
    }
    ScheduledExecutorService scheduler = alertScheduler;
    if (scheduler == null) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "tierstate-alerts");
                thread.setDaemon(true);
                return thread;
              });
      alertScheduler = scheduler;
    }
    long millis = alertInterval.toMillis();
    alertTask =
        scheduler.scheduleWithFixedDelay(
            this::evaluateScheduled, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void evaluateScheduled() {
    try {
      boolean needsHealth = subscriptions.stream().anyMatch(s -> s.rule.needsHealth());
      if (needsHealth) {
        healthCheck();
      } else {
        evaluateAlerts(null);
      }
    } catch (RuntimeException e) {
      log.warn("Evaluating alert rules failed", e);
    }
  }

  /**
   * Evaluates every rule now, as the scheduler does (with a fresh health check if a rule needs
   * one).
   */
  public void evaluateAlerts() {
    evaluateScheduled();
  }

  private void evaluateAlerts(@Nullable HealthReport report) {
    if (subscriptions.isEmpty()) {
      return;
    }
    MetricsSnapshot current = snapshot();
    long now = System.nanoTime();
    for (Subscription subscription : subscriptions) {
      Optional<Alert> alert = subscription.evaluate(current, report, now);
      if (alert.isPresent()) {
        try {
          subscription.listener.accept(alert.get());
        } catch (RuntimeException e) {
          log.warn("Alert listener for rule {} failed", subscription.rule.name(), e);
        }
      }
    }
  }

  /** Stops evaluating alert rules in the background. Called by {@code Tierstate.close()}. */
  @Override
  public synchronized void close() {
    closed = true;
    if (alertScheduler != null) {
      alertScheduler.shutdownNow();
    }
  }

  /** One listener of one rule, with its window and cool-down state. */
  private static final class Subscription {
    final AlertRule rule;
    final Consumer<Alert> listener;
    private MetricsSnapshot previous = MetricsSnapshot.empty();
    private boolean fired;
    private long lastFiredNanos;

    Subscription(AlertRule rule, Consumer<Alert> listener) {
      this.rule = rule;
      this.listener = listener;
    }

    synchronized Optional<Alert> evaluate(
        MetricsSnapshot current, @Nullable HealthReport report, long nowNanos) {
      if (rule.needsHealth() && report == null) {
        return Optional.empty();
      }
      Optional<String> message = rule.evaluate(new AlertRule.Context(current, previous, report));
      previous = current;
      if (message.isEmpty()) {
        return Optional.empty();
      }
      if (fired && nowNanos - lastFiredNanos < rule.coolDown().toNanos()) {
        return Optional.empty();
      }
      fired = true;
      lastFiredNanos = nowNanos;
      return Optional.of(new Alert(rule.name(), message.get(), Instant.now(), current, report));
    }
  }
}
