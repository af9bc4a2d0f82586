package io.tierstate.internal.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tierstate.RedisUnavailableException;
import io.tierstate.audit.AuditOptions;
import io.tierstate.audit.AuditReport;
import io.tierstate.audit.ConsistencyAuditor;
import io.tierstate.audit.Inconsistency;
import io.tierstate.audit.Verifier;
import io.tierstate.cache.Invalidator;
import io.tierstate.codec.TypeRef;
import io.tierstate.internal.inspect.CachedEntries;
import io.tierstate.keys.CacheKeys;
import io.tierstate.keys.KeyPattern;
import io.tierstate.metrics.AlertRule;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MeterNames;
import io.tierstate.metrics.TierstateMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The consistency auditor: see {@link ConsistencyAuditor}. Thread-safe. */
public final class DefaultConsistencyAuditor implements ConsistencyAuditor {
  private static final Logger log = LoggerFactory.getLogger(ConsistencyAuditor.class);

  /** Keys walked at most per tick to find one of a registered family (L1 holds any keys). */
  private static final int MAX_KEYS_WALKED = 256;

  /** Attempts at most per tick to find an L2 entry that still exists (SCAN pages or reads). */
  private static final int MAX_L2_TRIES = 8;

  private final CachedEntries entries;
  private final Invalidator invalidator;
  private final TierstateMetrics metrics;
  private final String nodeId;
  private final List<Family<?>> families = new CopyOnWriteArrayList<>();
  private final List<Consumer<Inconsistency>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong lastInconsistencyNanos = new AtomicLong();
  private final AtomicLong inconsistencyCount = new AtomicLong();
  private volatile @Nullable Inconsistency lastInconsistency;
  private volatile AuditOptions options = AuditOptions.defaults();
  private final Ledger ledger = new Ledger(System::nanoTime, options);

  // Only on the scheduler thread.
  private final ArrayDeque<String> l1Keys = new ArrayDeque<>();
  private CachedEntries.@Nullable KeyCursor l1Cursor;
  private boolean l2Next;
  private int familyTurn;

  // Set up with the first verifier, guarded by this.
  private @Nullable ScheduledExecutorService scheduler;
  private @Nullable ScheduledFuture<?> task;
  private @Nullable ExecutorService verifiers;
  private @Nullable Meters meters;
  private boolean closed;

  /** A key family: its pattern, the type its values are cached as, and its verifier. */
  private static final class Family<T> {
    final String pattern;
    final Class<T> type;
    final TypeRef<T> ref;
    final Verifier<? super T> verifier;
    // Only on the scheduler thread.
    final ArrayDeque<String> l2Keys = new ArrayDeque<>();
    CachedEntries.@Nullable KeyCursor l2Cursor;

    Family(String pattern, Class<T> type, Verifier<? super T> verifier) {
      this.pattern = pattern;
      this.type = type;
      this.ref = TypeRef.of(type);
      this.verifier = verifier;
    }

    boolean matches(String key) {
      return KeyPattern.matches(pattern, key);
    }

    boolean call(String key, Object value) throws Exception {
      return verifier.matches(key, type.cast(value));
    }
  }

  /** The meters, registered with the first verifier. */
  private final class Meters {
    final Map<Ledger.Outcome, Counter> l1 = new EnumMap<>(Ledger.Outcome.class);
    final Map<Ledger.Outcome, Counter> l2 = new EnumMap<>(Ledger.Outcome.class);
    final Timer cost;
    final Counter repaired;
    final Counter repairFailed;

    Meters(MeterRegistry registry) {
      for (Ledger.Outcome outcome : Ledger.Outcome.values()) {
        for (Ledger.Tier tier : Ledger.Tier.values()) {
          Counter counter =
              Counter.builder(MeterNames.AUDIT_SAMPLES)
                  .tags("outcome", outcome.tag, "tier", tier.tag())
                  .description("Cached entries sampled by the consistency auditor, by outcome")
                  .register(registry);
          (tier == Ledger.Tier.L1 ? l1 : l2).put(outcome, counter);
        }
      }
      this.cost =
          Timer.builder(MeterNames.AUDIT_SAMPLE_DURATION)
              .description("Time one audit sample took: cache read and verifier")
              .register(registry);
      this.repaired =
          Counter.builder(MeterNames.AUDIT_REPAIRS).tags("result", "ok").register(registry);
      this.repairFailed =
          Counter.builder(MeterNames.AUDIT_REPAIRS).tags("result", "failed").register(registry);
      Gauge.builder(MeterNames.AUDIT_RATIO, ledger, l -> l.window().ratio())
          .description("Consistent samples over decided samples in the audit window")
          .register(registry);
      Gauge.builder(MeterNames.AUDIT_NINES, ledger, l -> l.window().nines())
          .description("The consistency ratio in the audit window as nines")
          .register(registry);
      Gauge.builder(MeterNames.AUDIT_PENDING, ledger, Ledger::pending)
          .description("Stale samples waiting for their re-check")
          .register(registry);
    }

    void count(Ledger.Tier tier, Ledger.Outcome outcome) {
      Counter counter = (tier == Ledger.Tier.L1 ? l1 : l2).get(outcome);
      if (counter != null) {
        counter.increment();
      }
    }
  }

  private DefaultConsistencyAuditor(
      CachedEntries entries, Invalidator invalidator, TierstateMetrics metrics, String nodeId) {
    this.entries = entries;
    this.invalidator = invalidator;
    this.metrics = metrics;
    this.nodeId = nodeId;
  }

  /**
   * Creates an auditor that does nothing until a verifier is registered (for {@code Tierstate};
   * applications use {@code Tierstate.audit()}).
   */
  public static DefaultConsistencyAuditor create(
      CachedEntries entries, Invalidator invalidator, TierstateMetrics metrics, String nodeId) {
    return new DefaultConsistencyAuditor(
        Objects.requireNonNull(entries, "entries"),
        Objects.requireNonNull(invalidator, "invalidator"),
        Objects.requireNonNull(metrics, "metrics"),
        Objects.requireNonNull(nodeId, "nodeId"));
  }

  /**
   * Audits the keys matching {@code pattern} whose values are cached as {@code type}, with {@code
   * verifier}, and starts sampling if it had not. A key matching several patterns is audited by the
   * family registered first; entries of another type under the pattern are skipped.
   *
   * @param pattern a glob ({@code *} any run of characters, {@code ?} one), such as {@code user:*}
   * @return this auditor
   * @throws IllegalArgumentException if the pattern is invalid or already registered
   * @throws IllegalStateException if the auditor (its node) is closed
   */
  @Override
  public <T> ConsistencyAuditor verify(
      String pattern, Class<T> type, Verifier<? super T> verifier) {
    CacheKeys.requireValidPattern(pattern);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(verifier, "verifier");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the auditor's node is closed");
      }
      for (Family<?> family : families) {
        if (family.pattern.equals(pattern)) {
          throw new IllegalArgumentException(
              "a verifier is already registered for '" + pattern + "'");
        }
      }
      families.add(new Family<>(pattern, type, verifier));
      start();
    }
    return this;
  }

  /**
   * Replaces the options; the rate and window apply at once, the propagation window to samples
   * taken from now on.
   *
   * @return this auditor
   */
  @Override
  public ConsistencyAuditor options(AuditOptions options) {
    Objects.requireNonNull(options, "options");
    synchronized (this) {
      AuditOptions previous = this.options;
      this.options = options;
      ledger.resize(options);
      if (task != null && previous.samplesPerSecond() != options.samplesPerSecond()) {
        task.cancel(false);
        task = null;
        start();
      }
    }
    return this;
  }

  /** The options in force. */
  @Override
  public AuditOptions options() {
    return options;
  }

  /** Whether the auditor samples: at least one verifier is registered and the node is open. */
  @Override
  public synchronized boolean enabled() {
    return task != null;
  }

  /**
   * Calls {@code listener} for every confirmed inconsistency, on the auditor's thread, after the
   * repair. Keep it quick.
   *
   * @return a handle whose {@code close()} removes the listener
   */
  @Override
  public AutoCloseable onInconsistency(Consumer<Inconsistency> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * A rule that fires while the {@code consistency} health check is degraded: an inconsistency was
   * confirmed within {@link AuditOptions#alertHold()}. Subscribe to it with {@code
   * TierstateMetrics.onAlert}.
   */
  @Override
  public AlertRule alertRule() {
    return AlertRule.of(
        "consistency-inconsistent",
        true,
        context -> {
          if (context.health() == null) {
            return Optional.empty();
          }
          for (HealthCheck check : context.health().checks()) {
            if (check.name().equals(HEALTH_CHECK) && check.status() != HealthStatus.HEALTHY) {
              return Optional.of("consistency audit: " + check.message());
            }
          }
          return Optional.empty();
        });
  }

  /** What the auditor found so far, and the consistency in the window ending now. */
  @Override
  public AuditReport report() {
    Ledger.WindowCounts window = ledger.window();
    Meters m;
    synchronized (this) {
      m = meters;
    }
    double meanNanos = m == null ? 0 : m.cost.mean(TimeUnit.NANOSECONDS);
    return new AuditReport(
        enabled(),
        ledger.total(Ledger.Outcome.CONSISTENT),
        ledger.total(Ledger.Outcome.STALE_IN_WINDOW),
        ledger.total(Ledger.Outcome.INCONSISTENT),
        ledger.total(Ledger.Outcome.ERROR),
        ledger.pending(),
        options.window(),
        window.total(),
        window.inconsistent(),
        window.ratio(),
        window.nines(),
        Duration.ofNanos((long) meanNanos));
  }

  /** Stops sampling. Called by {@code Tierstate.close()}; closing again does nothing. */
  @Override
  public synchronized void close() {
    closed = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (verifiers != null) {
      verifiers.shutdownNow();
    }
    task = null;
    metrics.unregisterCheck(HEALTH_CHECK);
  }

  // ------------------------------------------------------------------------------- sampling

  private void start() {
    if (closed || task != null || families.isEmpty()) {
      return;
    }
    if (meters == null) {
      meters = new Meters(metrics.registry());
      metrics.registerCheck(HEALTH_CHECK, this::health);
    }
    if (verifiers == null) {
      verifiers =
          Executors.newThreadPerTaskExecutor(
              Thread.ofVirtual().name("tierstate-audit-verifier-", 0).factory());
    }
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      s =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "tierstate-audit-" + nodeId);
                thread.setDaemon(true);
                return thread;
              });
      scheduler = s;
    }
    // With a fixed delay a slow sample pushes the next one back: the rate is a cap, never caught
    // up.
    long period = TimeUnit.SECONDS.toNanos(1) / options.samplesPerSecond();
    task = s.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    Meters m;
    synchronized (this) {
      if (closed) {
        return;
      }
      m = meters;
    }
    if (m == null) {
      return;
    }
    long start = System.nanoTime();
    boolean sampled = false;
    try {
      Ledger.Pending due = ledger.due();
      if (due != null) {
        recheck(due, m);
        sampled = true;
      } else {
        l2Next = !l2Next;
        sampled = l2Next ? sampleL2(m) || sampleL1(m) : sampleL1(m) || sampleL2(m);
      }
    } catch (RedisUnavailableException e) {
      log.debug("Consistency audit skipped a sample: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("Consistency audit sample failed", e);
    } finally {
      if (sampled) {
        m.cost.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }

  private boolean sampleL1(Meters m) {
    for (int walked = 0; walked < MAX_KEYS_WALKED; walked++) {
      if (l1Keys.isEmpty()) {
        CachedEntries.KeyCursor cursor = l1Cursor;
        if (cursor == null) {
          cursor = entries.l1Keys();
          l1Cursor = cursor;
        }
        l1Keys.addAll(cursor.next(64));
        if (l1Keys.isEmpty()) {
          return false;
        }
      }
      String key = l1Keys.pollFirst();
      Family<?> family = key == null ? null : familyOf(key);
      if (key == null || family == null) {
        continue;
      }
      Optional<Object> value = entries.l1Value(key).filter(family.type::isInstance);
      if (value.isPresent()) {
        firstLook(key, Ledger.Tier.L1, value.get(), family, m);
        return true;
      }
    }
    return false;
  }

  private boolean sampleL2(Meters m) {
    List<Family<?>> all = families;
    for (int tries = 0; tries < MAX_L2_TRIES; tries++) {
      if (all.isEmpty()) {
        return false;
      }
      Family<?> family = all.get(Math.floorMod(familyTurn++, all.size()));
      if (family.l2Keys.isEmpty()) {
        CachedEntries.KeyCursor cursor = family.l2Cursor;
        if (cursor == null) {
          cursor = entries.l2Keys(family.pattern);
          family.l2Cursor = cursor;
        }
        family.l2Keys.addAll(cursor.next(64));
        continue; // a SCAN page is this try's round trip
      }
      String key = family.l2Keys.pollFirst();
      if (key == null || familyOf(key) != family) {
        continue; // an earlier family audits it
      }
      Optional<?> value = entries.l2Value(key, family.ref);
      if (value.isPresent()) {
        firstLook(key, Ledger.Tier.L2, value.get(), family, m);
        return true;
      }
    }
    return false;
  }

  private void firstLook(String key, Ledger.Tier tier, Object value, Family<?> family, Meters m) {
    Ledger.Verdict verdict = verdict(family, key, value);
    AuditOptions current = options;
    ledger.firstLook(key, tier, value, verdict, current).ifPresent(o -> m.count(tier, o));
  }

  private void recheck(Ledger.Pending sample, Meters m) {
    Family<?> family = familyOf(sample.key());
    if (family == null) {
      return; // cannot happen: families are never removed
    }
    Optional<Object> current =
        sample.tier() == Ledger.Tier.L1
            ? entries.l1Value(sample.key()).filter(family.type::isInstance)
            : entries.l2Value(sample.key(), family.ref).map(Object.class::cast);
    Ledger.Verdict verdict =
        current.isPresent() ? verdict(family, sample.key(), current.get()) : Ledger.Verdict.MATCHES;
    Ledger.Recheck result = ledger.recheck(sample, current, verdict, options);
    m.count(sample.tier(), result.outcome());
    if (result.outcome() == Ledger.Outcome.INCONSISTENT) {
      repair(sample, m);
    }
  }

  private Ledger.Verdict verdict(Family<?> family, String key, Object value) {
    ExecutorService threads;
    synchronized (this) {
      threads = verifiers;
    }
    if (threads == null) {
      return Ledger.Verdict.ERROR;
    }
    Future<Boolean> call;
    try {
      call = threads.submit(() -> family.call(key, value));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return Ledger.Verdict.ERROR; // closing
    }
    try {
      return call.get(options.verifierTimeout().toNanos(), TimeUnit.NANOSECONDS)
          ? Ledger.Verdict.MATCHES
          : Ledger.Verdict.STALE;
    } catch (TimeoutException e) {
      call.cancel(true);
      log.debug("Verifier for '{}' took longer than {}", key, options.verifierTimeout());
      return Ledger.Verdict.ERROR;
    } catch (ExecutionException e) {
      log.debug("Verifier for '{}' failed: {}", key, String.valueOf(e.getCause()));
      return Ledger.Verdict.ERROR;
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      return Ledger.Verdict.ERROR;
    }
  }

  private void repair(Ledger.Pending sample, Meters m) {
    Duration staleFor = Duration.ofNanos(System.nanoTime() - sample.firstSeenNanos());
    boolean repaired;
    try {
      invalidator.invalidateDurably(List.of(sample.key()), List.of());
      repaired = true;
      m.repaired.increment();
    } catch (RedisUnavailableException e) {
      repaired = false;
      m.repairFailed.increment();
    }
    log.warn(
        "Consistency audit: '{}' in {} still did not match the source of truth {} ms after it was"
            + " first seen (propagation window {} ms); {}",
        sample.key(),
        sample.tier().tag(),
        staleFor.toMillis(),
        options.propagationWindow().toMillis(),
        repaired ? "invalidated it on every node" : "Redis is unreachable, it will be found again");
    Inconsistency found =
        new Inconsistency(sample.key(), sample.tier().tag(), staleFor, Instant.now(), repaired);
    lastInconsistency = found;
    inconsistencyCount.incrementAndGet();
    lastInconsistencyNanos.set(System.nanoTime());
    for (Consumer<Inconsistency> listener : listeners) {
      try {
        listener.accept(found);
      } catch (RuntimeException e) {
        log.warn("Inconsistency listener failed", e);
      }
    }
  }

  private @Nullable Family<?> familyOf(String key) {
    for (Family<?> family : families) {
      if (family.matches(key)) {
        return family;
      }
    }
    return null;
  }

  private HealthCheck.Result health() {
    Ledger.WindowCounts window = ledger.window();
    String consistency =
        String.format(
            Locale.ROOT,
            "%.2f nines over %d samples in %d s",
            window.total() == 0 ? 0 : window.nines(),
            window.total(),
            options.window().toSeconds());
    Inconsistency last = lastInconsistency;
    long since = System.nanoTime() - lastInconsistencyNanos.get();
    HealthCheck.Result result =
        last != null && since < options.alertHold().toNanos()
            ? HealthCheck.Result.degraded(
                inconsistencyCount.get()
                    + " inconsistent entries found, the last '"
                    + last.key()
                    + "' in "
                    + last.tier()
                    + " "
                    + TimeUnit.NANOSECONDS.toSeconds(since)
                    + " s ago (repaired); "
                    + consistency)
            : HealthCheck.Result.healthy(consistency);
    return result
        .withDetail("samples", window.total())
        .withDetail("inconsistent", window.inconsistent())
        .withDetail("nines", window.total() == 0 ? 0 : window.nines());
  }

  @Override
  public String toString() {
    List<String> patterns = new ArrayList<>();
    families.forEach(f -> patterns.add(f.pattern));
    return "ConsistencyAuditor[node=" + nodeId + ", families=" + patterns + ", " + options + "]";
  }
}
