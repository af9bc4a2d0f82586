package io.tierstate;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tierstate.audit.ConsistencyAuditor;
import io.tierstate.cache.Invalidator;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.Codec;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.internal.audit.DefaultConsistencyAuditor;
import io.tierstate.internal.cache.CacheEngine;
import io.tierstate.internal.lock.RedisLockService;
import io.tierstate.internal.metrics.NodeHealthChecks;
import io.tierstate.internal.nodes.RedisClusterNodes;
import io.tierstate.internal.patterns.RedisNamespaceVersions;
import io.tierstate.internal.pubsub.RedisPubSub;
import io.tierstate.internal.ratelimit.RedisRateLimiter;
import io.tierstate.internal.redis.CircuitBreaker;
import io.tierstate.internal.redis.RedisConnector;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.internal.session.RedisSessionManager;
import io.tierstate.internal.writebehind.WriteBehindRegistry;
import io.tierstate.lock.LockService;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.MeterNames;
import io.tierstate.metrics.TierstateMetrics;
import io.tierstate.nodes.ClusterNodes;
import io.tierstate.patterns.CacheWarmer;
import io.tierstate.patterns.NamespaceVersions;
import io.tierstate.patterns.ReadThrough;
import io.tierstate.patterns.WriteThrough;
import io.tierstate.pubsub.PubSub;
import io.tierstate.ratelimit.RateLimiter;
import io.tierstate.session.SessionManager;
import io.tierstate.writebehind.BatchWriter;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point: one instance per service node, holding its Redis connections, its L1 and its
 * background threads. Create it once at start-up and close it at shutdown.
 *
 * <pre>{@code
 * try (Tierstate ts = Tierstate.create(TierstateConfig.fromEnv())) {
 *   ts.cache().set("greeting", "Hello", CacheOptions.ttl(Duration.ofSeconds(60)));
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Tierstate implements AutoCloseable {
  private final TierstateConfig config;
  private final RedisConnector connector;
  private final CircuitBreaker breaker;
  private final CacheEngine engine;
  private final TierstateMetrics metrics;
  private final SessionManager sessions;
  private final RedisLockService locks;
  private final RedisPubSub pubsub;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RateLimiter rateLimiter;
  private final ReadThrough readThrough;
  private final WriteThrough writeThrough;
  private final CacheWarmer warmer;
  private final NamespaceVersions namespaces;
  private final WriteBehindRegistry writeBehinds;
  private final ConsistencyAuditor auditor;
  private final ClusterNodes nodes;

  private Tierstate(TierstateConfig config) {
    this.config = config;
    MeterRegistry userRegistry = config.meterRegistry().orElse(null);
    PrometheusMeterRegistry prometheus =
        userRegistry == null ? null : TierstateMetrics.findPrometheus(userRegistry);
    MeterRegistry registry;
    MeterRegistry requestsRegistry; // see CacheEngine.start: no composite counter per read
    MeterRegistry requestsMirror = null;
    if (userRegistry == null) {
      // No registry given: one Prometheus registry serves snapshot() and prometheus() alike, and
      // the hot path increments one counter, not one per registry of a composite.
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry = prometheus;
      requestsRegistry = registry;
    } else if (prometheus != null) {
      registry = userRegistry; // the user's registry already feeds Prometheus: scrape it
      requestsRegistry = registry;
    } else {
      // Every meter lands both in the user's (or a simple) registry and in one Prometheus
      // registry of Tierstate's own, which metrics().prometheus() scrapes.
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      registry = new CompositeMeterRegistry(Clock.SYSTEM, List.of(userRegistry, prometheus));
      requestsRegistry = userRegistry;
      requestsMirror = prometheus;
    }
    Codec codec = config.codec().orElseGet(JacksonCodec::create);
    // What is open so far, closed (last first) if a later step throws: a node that failed to
    // start must not leave threads and connections behind.
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      this.connector = opened(opened, RedisConnector.connect(config));
      this.breaker =
          new CircuitBreaker(config.breakerFailureThreshold(), config.breakerOpenDuration());
      Gauge.builder(MeterNames.BREAKER_STATE, breaker, Tierstate::breakerGaugeValue)
          .description("0 closed, 1 open, 2 half-open")
          .register(registry);
      RedisExecutor redis =
          new RedisExecutor(connector, breaker, registry, config.commandTimeout());
      this.engine =
          opened(
              opened,
              CacheEngine.start(config, redis, registry, requestsRegistry, requestsMirror, codec));
      this.metrics =
          opened(
              opened,
              new TierstateMetrics(
                  registry, prometheus, new NodeHealthChecks(config, connector, breaker, engine)));
      this.sessions = RedisSessionManager.create(redis, config.namespace(), registry);
      this.locks =
          opened(
              opened,
              RedisLockService.create(redis, config.namespace(), config.nodeId(), registry));
      this.pubsub = opened(opened, RedisPubSub.create(redis, codec, config.namespace(), registry));
      this.rateLimiter = RedisRateLimiter.create(redis, config.namespace(), registry);
      this.readThrough = ReadThrough.create(engine.cache(), registry);
      this.writeThrough = WriteThrough.create(engine.cache(), registry);
      this.warmer = opened(opened, CacheWarmer.create(engine.cache(), locks, registry));
      this.namespaces =
          RedisNamespaceVersions.create(engine.cache(), redis, config.namespace(), registry);
      this.writeBehinds =
          opened(
              opened,
              WriteBehindRegistry.create(
                  redis, codec, engine.cache(), config.namespace(), config.nodeId(), registry));
      this.auditor =
          DefaultConsistencyAuditor.create(
              engine.entries(), engine.invalidator(), metrics, nodeId());
      this.nodes =
          opened(
              opened,
              RedisClusterNodes.start(redis, config, engine::l1Size, engine::hotKeys, registry));
      // Write-behind lag: how long the oldest queued write has waited to reach the source of truth.
      this.metrics.registerCheck("writebehind.lag", () -> writeBehindLag(registry));
      // A write-behind riding out its writer's outage: writes are safe in Redis but not written.
      this.metrics.registerCheck("writebehind.writer", () -> writeBehindWriter(registry));
    } catch (RuntimeException | Error e) {
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T opened(Deque<AutoCloseable> opened, T resource) {
    opened.push(resource);
    return resource;
  }

  /** Above this, queued writes wait too long for the source of truth: the node reports DEGRADED. */
  static final Duration WRITE_BEHIND_LAG_DEGRADED = Duration.ofSeconds(60);

  private static HealthCheck.Result writeBehindLag(MeterRegistry registry) {
    double lag = 0;
    for (Gauge gauge : registry.find(MeterNames.WRITE_BEHIND_LAG).gauges()) {
      lag = Math.max(lag, gauge.value());
    }
    String message = String.format(java.util.Locale.ROOT, "oldest queued write waited %.1f s", lag);
    return lag > WRITE_BEHIND_LAG_DEGRADED.toSeconds()
        ? HealthCheck.Result.degraded(
            message + " (above " + WRITE_BEHIND_LAG_DEGRADED.toSeconds() + " s)")
        : HealthCheck.Result.healthy(message);
  }

  private static HealthCheck.Result writeBehindWriter(MeterRegistry registry) {
    List<String> waiting = new ArrayList<>();
    double longest = 0;
    for (Gauge gauge : registry.find(MeterNames.WRITE_BEHIND_UNREACHABLE).gauges()) {
      double seconds = gauge.value();
      String name = gauge.getId().getTag("name");
      if (seconds > 0 && name != null) {
        longest = Math.max(longest, seconds);
        Gauge depth = registry.find(MeterNames.WRITE_BEHIND_QUEUE_DEPTH).tag("name", name).gauge();
        waiting.add(
            String.format(
                Locale.ROOT,
                "write-behind '%s': writer target unreachable for %d s; %d entries waiting",
                name,
                (long) seconds,
                depth == null ? 0 : (long) depth.value()));
      }
    }
    return waiting.isEmpty()
        ? HealthCheck.Result.healthy("no write-behind waits for its writer's target")
        : HealthCheck.Result.degraded(String.join("; ", waiting))
            .withDetail("unreachableSeconds", longest);
  }

  private static double breakerGaugeValue(CircuitBreaker breaker) {
    return switch (breaker.state()) {
      case CLOSED -> 0;
      case OPEN -> 1;
      case HALF_OPEN -> 2;
    };
  }

  /**
   * Connects to Redis and starts this node. When Redis is unreachable and not required, the node
   * starts degraded and connects when Redis comes up.
   *
   * @throws io.tierstate.RedisUnavailableException if Redis is required and unreachable
   */
  public static Tierstate create(TierstateConfig config) {
    return new Tierstate(config);
  }

  /** The tiered cache. */
  public TieredCache cache() {
    return engine.cache();
  }

  /** Coordinated invalidation by key, tag and pattern, and invalidation listeners. */
  public Invalidator invalidator() {
    return engine.invalidator();
  }

  /**
   * Server-side sessions shared by every node. They require Redis: while it is unavailable, their
   * methods throw {@link io.tierstate.RedisUnavailableException}.
   */
  public SessionManager sessions() {
    return sessions;
  }

  /** Distributed locks, leased and fenced, shared by every node on this Redis and namespace. */
  public LockService locks() {
    return locks;
  }

  /** Publish/subscribe between nodes, with channels under this node's namespace. */
  public PubSub pubsub() {
    return pubsub;
  }

  /**
   * Distributed rate limiting shared by all nodes through Redis, with a per-policy fallback while
   * Redis is unavailable.
   */
  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  /**
   * Read-through caching: loaders registered by key pattern, read through {@link
   * TieredCache#getOrLoad} (one loader per key across the cluster).
   */
  public ReadThrough readThrough() {
    return readThrough;
  }

  /** Write-through caching: the source of truth first, the cache only once that succeeded. */
  public WriteThrough writeThrough() {
    return writeThrough;
  }

  /**
   * Cache warming strategies, run on request or on a schedule (once per period across the cluster).
   * Their scheduler stops when this node closes.
   */
  public CacheWarmer warmer() {
    return warmer;
  }

  /** Namespace versions: keys that a single {@code bump} invalidates across the cluster in O(1). */
  public NamespaceVersions namespaces() {
    return namespaces;
  }

  /**
   * Starts a durable write-behind: values written through it are cached at once and reach {@code
   * batchWriter} later, in batches coalesced by key, from whichever node reads them; entries a dead
   * node left unwritten are taken over by the others. Closing this node closes it.
   *
   * @param name the write-behind's name, shared by every node that writes or delivers it (1 to 100
   *     letters, digits or {@code ._:-})
   * @param type the type of the values, encoded with this node's codec
   * @param batchWriter writes batches to the source of truth; called from a background thread
   * @param options batching, retries, dead-lettering, claiming and the Redis-unavailable policy
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is invalid or already open on this node
   * @throws IllegalStateException if this node is closed
   */
  public <T> WriteBehind<T> writeBehind(
      String name, Class<T> type, BatchWriter<T> batchWriter, WriteBehindOptions options) {
    return writeBehinds.open(name, type, batchWriter, options);
  }

  /**
   * The consistency auditor: off until a verifier is registered, then samples cached entries
   * against the source of truth and repairs the inconsistent ones (see docs/consistency-audit.md).
   */
  public ConsistencyAuditor audit() {
    return auditor;
  }

  /** The cluster's nodes: this one announces itself in Redis; any node lists them all. */
  public ClusterNodes nodes() {
    return nodes;
  }

  /** Metrics and their summaries. */
  public TierstateMetrics metrics() {
    return metrics;
  }

  /** The configuration this node runs with. */
  public TierstateConfig config() {
    return config;
  }

  /** This node's id, as it appears in invalidation events. */
  public String nodeId() {
    return config.nodeId();
  }

  /** Whether Redis is reachable now (the connection is open and the circuit breaker closed). */
  public boolean redisAvailable() {
    return connector.isConnected() && breaker.state() == CircuitBreaker.State.CLOSED;
  }

  /** Whether invalidations from other nodes reach this node, so its L1 is fully trusted. */
  public boolean invalidationsFlowing() {
    return engine.invalidationsFlowing();
  }

  /**
   * Stops background work and closes the Redis connections. Locks this node holds are not released:
   * they end with their lease. Closing again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // a second close would release shared resources (the coarse clock) twice
    }
    auditor.close();
    nodes.close(); // while Redis is still connected: it marks this node stopped
    warmer.close();
    writeBehinds
        .close(); // first: they write what they have read through the connections closed below
    metrics.close();
    locks.close();
    pubsub.close();
    engine.close();
    connector.close();
  }
}
