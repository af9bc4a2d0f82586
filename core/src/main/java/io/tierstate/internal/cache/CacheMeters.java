package io.tierstate.internal.cache;

import static io.tierstate.metrics.MeterNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The cache's meters, created once so the hot path only increments.
 *
 * <p>The request counters ({@code tierstate.cache.requests}, incremented on every read) are one
 * plain {@link Counter} each, never a composite's: a composite counter increments every child
 * registry's counter per read. When Tierstate combines the user's registry with its own Prometheus
 * registry, the counters live in the user's registry and the Prometheus registry reads them at
 * scrape time ({@link FunctionCounter}), so a read costs one striped add wherever it is observed.
 */
final class CacheMeters {
  final MeterRegistry registry;
  final Counter l1Hit;
  final Counter l1Miss;
  final Counter l2Hit;
  final Counter l2Miss;
  final Counter loadSuccess;
  final Counter loadAbsent;
  final Counter loadFailure;
  final Timer loadDuration;
  final Counter corruptEntries;
  final Counter codecErrors;
  final Counter listenerErrors;
  final Counter evictionsSize;
  final Counter evictionsExpired;
  final Counter staleRevalidate;
  final Counter staleOnError;
  final Counter fillsFenced;
  final Counter fillsLeaseLost;
  final Counter fillsTagRace;
  final Counter invalidationsReceived;
  final Counter invalidationsPublished;
  final Timer invalidationLag;
  final Counter untrustedEntries;
  private final ConcurrentMap<String, Timer> operations = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> resyncs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> floorRaises = new ConcurrentHashMap<>();

  CacheMeters(MeterRegistry registry) {
    this(registry, registry, null);
  }

  /**
   * @param registry where every meter is registered
   * @param requests where the request counters are registered instead (the user's registry inside
   *     Tierstate's composite, or {@code registry})
   * @param mirror a registry that reads the request counters at scrape time, or null
   */
  CacheMeters(MeterRegistry registry, MeterRegistry requests, @Nullable MeterRegistry mirror) {
    this.registry = registry;
    l1Hit = requests(requests, mirror, "l1", "hit");
    l1Miss = requests(requests, mirror, "l1", "miss");
    l2Hit = requests(requests, mirror, "l2", "hit");
    l2Miss = requests(requests, mirror, "l2", "miss");
    loadSuccess = Counter.builder(CACHE_LOADS).tag("result", "success").register(registry);
    loadAbsent = Counter.builder(CACHE_LOADS).tag("result", "absent").register(registry);
    loadFailure = Counter.builder(CACHE_LOADS).tag("result", "failure").register(registry);
    loadDuration =
        Timer.builder(CACHE_LOAD_DURATION).publishPercentiles(0.5, 0.95, 0.99).register(registry);
    corruptEntries = Counter.builder(CACHE_ERRORS).tag("kind", "corrupt").register(registry);
    codecErrors = Counter.builder(CACHE_ERRORS).tag("kind", "codec").register(registry);
    listenerErrors = Counter.builder(CACHE_ERRORS).tag("kind", "listener").register(registry);
    evictionsSize = Counter.builder(CACHE_EVICTIONS).tag("cause", "size").register(registry);
    evictionsExpired = Counter.builder(CACHE_EVICTIONS).tag("cause", "expired").register(registry);
    staleRevalidate =
        Counter.builder(CACHE_STALE_SERVED).tag("reason", "revalidate").register(registry);
    staleOnError = Counter.builder(CACHE_STALE_SERVED).tag("reason", "error").register(registry);
    fillsFenced = Counter.builder(CACHE_FILLS_REJECTED).tag("reason", "fenced").register(registry);
    fillsLeaseLost =
        Counter.builder(CACHE_FILLS_REJECTED).tag("reason", "lease-lost").register(registry);
    fillsTagRace =
        Counter.builder(CACHE_FILLS_REJECTED)
            .tag("reason", "concurrent-invalidation")
            .register(registry);
    invalidationsReceived = Counter.builder(INVALIDATIONS_RECEIVED).register(registry);
    invalidationsPublished = Counter.builder(INVALIDATIONS_PUBLISHED).register(registry);
    untrustedEntries = Counter.builder(L2_UNTRUSTED).register(registry);
    invalidationLag =
        Timer.builder(INVALIDATION_LAG).publishPercentiles(0.5, 0.99).register(registry);
  }

  private static Counter requests(
      MeterRegistry registry, @Nullable MeterRegistry mirror, String tier, String result) {
    Counter counter =
        Counter.builder(CACHE_REQUESTS).tag("tier", tier).tag("result", result).register(registry);
    if (mirror != null) {
      FunctionCounter.builder(CACHE_REQUESTS, counter, Counter::count)
          .tag("tier", tier)
          .tag("result", result)
          .register(mirror);
    }
    return counter;
  }

  Timer operation(String name) {
    return operations.computeIfAbsent(
        name,
        op ->
            Timer.builder(CACHE_OPERATION_DURATION)
                .tag("operation", op)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry));
  }

  void resync(String reason) {
    resyncs
        .computeIfAbsent(
            reason, r -> Counter.builder(L1_RESYNCS).tag("reason", r).register(registry))
        .increment();
  }

  /** This node raised the trust floor after a possible loss of Redis writes, for {@code cause}. */
  void floorRaised(String cause) {
    floorRaises
        .computeIfAbsent(
            cause, c -> Counter.builder(TRUST_FLOOR_RAISES).tag("cause", c).register(registry))
        .increment();
  }
}
