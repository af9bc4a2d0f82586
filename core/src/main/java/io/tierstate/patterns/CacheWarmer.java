package io.tierstate.patterns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.TieredCache;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockService;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache warming: strategies that fill the cache ahead of demand, run on request ({@link
 * #warmAll()}, {@link #warm(String)}) or on a schedule. Obtain it from {@code Tierstate.warmer()}.
 *
 * <p><b>Order and failures.</b> {@link #warmAll()} runs the enabled strategies one after another,
 * highest priority first (ties in registration order). A strategy that fails is logged, counted
 * ({@link MeterNames#WARMING_RUNS} with {@code result=failure}) and reported, and the others still
 * run. A strategy writes its entries with {@link TieredCache#set}, so other nodes' L1 copies are
 * dropped as for any write.
 *
 * <p><b>Schedules.</b> A strategy registered with {@link WarmingStrategy.Builder#every} runs on
 * this warmer's scheduler thread, first right after registration and then every period. Every node
 * registers the same strategies, but one run per period happens across the cluster: before running,
 * a node takes the lock {@code "warm:" + name} with {@link LockService#tryAcquire} for the period
 * less a small margin (5% of it, at most 1 s) and never releases it early, so the other nodes find
 * it held for the rest of the period and skip ({@code result=skipped}). The margin lets the node
 * that ran take the lock again on its next tick. Runs are therefore at least 95% of a period apart.
 * If Redis is unreachable, the scheduled run is skipped and counted as a failure.
 *
 * <p>Closing the warmer (done by {@code Tierstate.close()}) stops the scheduler.
 *
 * <p>Thread-safe.
 */
public final class CacheWarmer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CacheWarmer.class);
  private static final Duration MAX_MARGIN = Duration.ofSeconds(1);

  private final TieredCache cache;
  private final LockService locks;
  private final MeterRegistry registry;
  private final Map<String, Registered> strategies = new LinkedHashMap<>();
  private @Nullable ScheduledExecutorService scheduler;
  private boolean closed;

  private CacheWarmer(TieredCache cache, LockService locks, MeterRegistry registry) {
    this.cache = cache;
    this.locks = locks;
    this.registry = registry;
  }

  /**
   * A warmer over this cache, using these locks, with meters in this registry. For {@code
   * Tierstate}.
   */
  public static CacheWarmer create(TieredCache cache, LockService locks, MeterRegistry registry) {
    return new CacheWarmer(
        Objects.requireNonNull(cache, "cache"),
        Objects.requireNonNull(locks, "locks"),
        Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Registers a strategy, and schedules it if it is enabled and has a period.
   *
   * @throws IllegalArgumentException if {@code strategy} is null or one with its name is registered
   * @throws IllegalStateException if the warmer is closed
   */
  public synchronized void register(WarmingStrategy strategy) {
    if (strategy == null) {
      throw new IllegalArgumentException("strategy must not be null");
    }
    if (closed) {
      throw new IllegalStateException(
          "the warmer is closed; cannot register strategy '" + strategy.name() + "'");
    }
    if (strategies.containsKey(strategy.name())) {
      throw new IllegalArgumentException(
          "a warming strategy named '"
              + strategy.name()
              + "' is already registered; unregister it first");
    }
    Registered registered = new Registered(strategy);
    strategies.put(strategy.name(), registered);
    Optional<Duration> period = strategy.period();
    if (strategy.enabled() && period.isPresent()) {
      long periodMillis = period.get().toMillis();
      registered.schedule =
          scheduler()
              .scheduleAtFixedRate(
                  () -> runScheduled(registered, period.get()),
                  0,
                  periodMillis,
                  TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Removes a strategy and cancels its schedule (a run in progress completes).
   *
   * @return whether a strategy with this name was registered
   */
  public synchronized boolean unregister(String name) {
    Registered removed = strategies.remove(name);
    if (removed == null) {
      return false;
    }
    ScheduledFuture<?> schedule = removed.schedule;
    if (schedule != null) {
      schedule.cancel(false);
    }
    return true;
  }

  /** The registered strategies, in registration order. */
  public synchronized List<WarmingStrategy> strategies() {
    return strategies.values().stream().map(r -> r.strategy).toList();
  }

  /**
   * Runs every enabled strategy now on this node, highest priority first, whatever their schedule.
   * A failing strategy does not stop the others.
   *
   * @return a run per strategy, in the order they ran
   */
  public WarmingReport warmAll() {
    List<Registered> toRun;
    synchronized (this) {
      toRun = new ArrayList<>(strategies.values());
    }
    toRun.removeIf(r -> !r.strategy.enabled());
    toRun.sort(Comparator.comparingInt((Registered r) -> r.strategy.priority()).reversed());
    List<WarmingReport.Run> runs = new ArrayList<>(toRun.size());
    for (Registered registered : toRun) {
      runs.add(run(registered));
    }
    return new WarmingReport(runs);
  }

  /**
   * Runs one strategy now on this node, even if it is disabled.
   *
   * @return its run; a failure is reported there, not thrown
   * @throws IllegalArgumentException if no strategy with this name is registered
   */
  public WarmingReport.Run warm(String name) {
    Registered registered;
    synchronized (this) {
      registered = strategies.get(name);
      if (registered == null) {
        throw new IllegalArgumentException(
            "no warming strategy named '" + name + "'; registered: " + strategies.keySet());
      }
    }
    return run(registered);
  }

  private void runScheduled(Registered registered, Duration period) {
    String name = registered.strategy.name();
    try {
      synchronized (this) {
        if (strategies.get(name) != registered) {
          return; // unregistered since
        }
      }
      Duration margin = period.dividedBy(20);
      if (margin.compareTo(MAX_MARGIN) > 0) {
        margin = MAX_MARGIN;
      }
      // Held for the rest of the period on purpose: the other nodes must see it and skip.
      Optional<LockHandle> lock = locks.tryAcquire("warm:" + name, period.minus(margin));
      if (lock.isEmpty()) {
        counter(name, "skipped").increment();
        return;
      }
      run(registered);
    } catch (RuntimeException e) {
      counter(name, "failure").increment();
      log.warn(
          "Scheduled warming strategy '{}' could not run; it will be tried next period", name, e);
    }
  }

  private WarmingReport.Run run(Registered registered) {
    String name = registered.strategy.name();
    long start = System.nanoTime();
    int written = 0;
    Throwable error = null;
    try {
      Collection<WarmEntry> entries = registered.strategy.fetcher().fetch();
      if (entries == null) {
        throw new IllegalStateException(
            "the fetcher of warming strategy '" + name + "' returned null");
      }
      for (WarmEntry entry : entries) {
        cache.set(entry.key(), entry.value(), entry.options());
        written++;
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      error = e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Counter.builder(MeterNames.WARMING_ENTRIES)
        .tag("strategy", name)
        .register(registry)
        .increment(written);
    if (error == null) {
      counter(name, "success").increment();
      log.debug("Warming strategy '{}' cached {} entries in {}", name, written, took);
    } else {
      counter(name, "failure").increment();
      log.warn(
          "Warming strategy '{}' failed after caching {} entries in {}",
          name,
          written,
          took,
          error);
    }
    return new WarmingReport.Run(name, written, took, error);
  }

  private Counter counter(String strategy, String result) {
    return Counter.builder(MeterNames.WARMING_RUNS)
        .tag("strategy", strategy)
        .tag("result", result)
        .register(registry);
  }

  private synchronized ScheduledExecutorService scheduler() {
    ScheduledExecutorService current = scheduler;
    if (current == null) {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "tierstate-warmer");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      scheduler = current = executor;
    }
    return current;
  }

  /** Stops the scheduler; runs in progress are interrupted. Closing again does nothing. */
  @Override
  public synchronized void close() {
    closed = true;
    ScheduledExecutorService current = scheduler;
    if (current != null) {
      current.shutdownNow();
    }
  }

  private static final class Registered {
    final WarmingStrategy strategy;
    @Nullable ScheduledFuture<?> schedule;

    Registered(WarmingStrategy strategy) {
      this.strategy = strategy;
    }
  }
}
