package io.tierstate.internal.metrics;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tierstate.TierstateConfig;
import io.tierstate.internal.cache.CacheEngine;
import io.tierstate.internal.redis.CircuitBreaker;
import io.tierstate.internal.redis.RedisConnector;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.HealthThresholds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The built-in checks of one node: Redis ping, a set/get/delete round trip, Redis memory, the
 * circuit breaker, invalidation flow and L1 size. Redis commands go straight to the shared
 * connection (not through the breaker, so the check sees Redis return before the breaker does),
 * each bounded by one overall deadline.
 */
public final class NodeHealthChecks implements BiConsumer<HealthThresholds, List<HealthCheck>> {
  static final String PING = "redis.ping";
  static final String ROUND_TRIP = "redis.roundtrip";
  static final String MEMORY = "redis.memory";
  static final String BREAKER = "redis.breaker";
  static final String INVALIDATIONS = "invalidations";
  static final String L1 = "l1.size";

  private final TierstateConfig config;
  private final RedisConnector connector;
  private final CircuitBreaker breaker;
  private final CacheEngine engine;
  private final String healthKey;

  /** The checks of a node with this configuration, connection, breaker and cache. */
  public NodeHealthChecks(
      TierstateConfig config,
      RedisConnector connector,
      CircuitBreaker breaker,
      CacheEngine engine) {
    this.config = config;
    this.connector = connector;
    this.breaker = breaker;
    this.engine = engine;
    this.healthKey = config.namespace() + ":health:" + config.nodeId();
  }

  /** Runs the checks and adds them to {@code checks}. */
  @Override
  public void accept(HealthThresholds thresholds, List<HealthCheck> checks) {
    Duration budget = min(thresholds.redisTimeout(), config.commandTimeout());
    long deadline = System.nanoTime() + budget.toNanos();
    HealthStatus down = config.redisRequired() ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED;
    String downNote =
        config.redisRequired()
            ? "Redis is required (REDIS_REQUIRED=true)"
            : "the cache keeps serving from L1 and loaders (degraded mode)";

    long start = System.nanoTime();
    @Nullable String pingFailure = null;
    try {
      RedisClusterAsyncCommands<String, byte[]> redis = connector.async();
      String pong = await(redis.ping(), deadline);
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      HealthStatus status =
          latency.compareTo(thresholds.slowPing()) > 0
              ? HealthStatus.DEGRADED
              : HealthStatus.HEALTHY;
      String message =
          status == HealthStatus.HEALTHY
              ? "PING answered " + pong
              : "PING slow: "
                  + latency.toMillis()
                  + " ms > "
                  + thresholds.slowPing().toMillis()
                  + " ms";
      checks.add(check(PING, status, message, start, Map.of("latencyMillis", millis(latency))));
    } catch (Exception e) {
      pingFailure = describe(e);
      checks.add(
          check(
              PING,
              down,
              "Redis unreachable (" + pingFailure + "); " + downNote,
              start,
              Map.of("timeoutMillis", budget.toMillis())));
    }

    if (pingFailure != null) {
      String skipped = "skipped: Redis unreachable";
      checks.add(check(ROUND_TRIP, down, skipped, System.nanoTime(), Map.of()));
      checks.add(check(MEMORY, down, skipped, System.nanoTime(), Map.of()));
    } else {
      roundTripAndMemory(thresholds, deadline, down, checks);
    }
    checks.add(breakerCheck(down));
    checks.add(invalidationCheck());
    checks.add(l1Check(thresholds));
  }

  private void roundTripAndMemory(
      HealthThresholds thresholds, long deadline, HealthStatus down, List<HealthCheck> checks) {
    long start = System.nanoTime();
    RedisClusterAsyncCommands<String, byte[]> redis;
    try {
      redis = connector.async();
    } catch (RuntimeException e) {
      checks.add(
          check(ROUND_TRIP, down, "Redis unreachable (" + describe(e) + ")", start, Map.of()));
      checks.add(check(MEMORY, down, "Redis unreachable (" + describe(e) + ")", start, Map.of()));
      return;
    }
    byte[] token = Long.toString(System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    // Pipelined: all four commands are sent at once, and each is timed when its reply arrives.
    CompletableFuture<Long> setDone =
        timed(redis.set(healthKey, token, SetArgs.Builder.px(10_000)), start);
    CompletableFuture<Long> getDone = timedGet(redis.get(healthKey), start, token);
    CompletableFuture<Long> delDone = timed(redis.del(healthKey), start);
    long infoStart = System.nanoTime();
    CompletableFuture<String> info = redis.info("memory").toCompletableFuture();

    try {
      long setNanos = await(setDone, deadline);
      long getNanos = await(getDone, deadline);
      long delNanos = await(delDone, deadline);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("setMillis", millis(Duration.ofNanos(setNanos)));
      details.put("getMillis", millis(Duration.ofNanos(getNanos - setNanos)));
      details.put("deleteMillis", millis(Duration.ofNanos(delNanos - getNanos)));
      details.put("totalMillis", millis(Duration.ofNanos(delNanos)));
      checks.add(
          check(
              ROUND_TRIP,
              HealthStatus.HEALTHY,
              "SET, GET and DEL of " + healthKey + " succeeded",
              start,
              details));
    } catch (Exception e) {
      checks.add(check(ROUND_TRIP, down, "round trip failed: " + describe(e), start, Map.of()));
    }

    try {
      checks.add(memoryCheck(await(info, deadline), thresholds, infoStart));
    } catch (Exception e) {
      checks.add(check(MEMORY, down, "INFO memory failed: " + describe(e), infoStart, Map.of()));
    }
  }

  private static CompletableFuture<Long> timed(CompletionStage<?> command, long start) {
    return command.toCompletableFuture().thenApply(ignored -> System.nanoTime() - start);
  }

  private static CompletableFuture<Long> timedGet(
      CompletionStage<byte[]> command, long start, byte[] token) {
    return command
        .toCompletableFuture()
        .thenApply(
            value -> {
              if (!Arrays.equals(value, token)) {
                throw new IllegalStateException(
                    "GET returned another value than the SET before it");
              }
              return System.nanoTime() - start;
            });
  }

  private static HealthCheck memoryCheck(String info, HealthThresholds thresholds, long start) {
    long used = infoField(info, "used_memory");
    long max = infoField(info, "maxmemory");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("usedBytes", used);
    details.put("maxBytes", max);
    if (max <= 0) {
      return check(
          MEMORY,
          HealthStatus.HEALTHY,
          "no maxmemory set: Redis may grow until the host runs out of memory ("
              + used
              + " bytes used)",
          start,
          details);
    }
    double ratio = (double) used / max;
    details.put("ratio", ratio);
    HealthStatus status =
        ratio > thresholds.memoryUnhealthy()
            ? HealthStatus.UNHEALTHY
            : ratio > thresholds.memoryDegraded() ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
    String message =
        String.format(
            Locale.ROOT,
            "%.1f %% of maxmemory used (%d of %d bytes)%s",
            ratio * 100,
            used,
            max,
            status == HealthStatus.HEALTHY
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; above %.0f %%",
                    (status == HealthStatus.UNHEALTHY
                            ? thresholds.memoryUnhealthy()
                            : thresholds.memoryDegraded())
                        * 100));
    return check(MEMORY, status, message, start, details);
  }

  /** A numeric field of an INFO reply, or -1 when it is absent. */
  public static long infoField(String info, String field) {
    String prefix = field + ":";
    for (String line : info.split("\r?\n", -1)) {
      if (line.startsWith(prefix)) {
        try {
          return Long.parseLong(line.substring(prefix.length()).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private HealthCheck breakerCheck(HealthStatus down) {
    long start = System.nanoTime();
    CircuitBreaker.State state = breaker.state();
    Map<String, Object> details =
        Map.of("state", state.name(), "timesOpened", breaker.timesOpened());
    return switch (state) {
      case CLOSED -> check(BREAKER, HealthStatus.HEALTHY, "closed: commands flow", start, details);
      case OPEN -> check(BREAKER, down, "open: Redis commands are refused at once", start, details);
      case HALF_OPEN ->
          check(BREAKER, HealthStatus.DEGRADED, "half-open: probing Redis", start, details);
    };
  }

  private HealthCheck invalidationCheck() {
    long start = System.nanoTime();
    boolean flowing = engine.invalidationsFlowing();
    boolean pending = engine.hasPendingInvalidations();
    Map<String, Object> details = Map.of("l1Trusted", flowing, "pendingInvalidations", pending);
    if (!flowing) {
      return check(
          INVALIDATIONS,
          HealthStatus.DEGRADED,
          "invalidations are not flowing: L1 is not trusted, its entries live at most "
              + config.degradedL1Ttl().toMillis()
              + " ms",
          start,
          details);
    }
    if (pending) {
      return check(
          INVALIDATIONS,
          HealthStatus.DEGRADED,
          "invalidations made while Redis was unreachable still wait to be sent",
          start,
          details);
    }
    return check(
        INVALIDATIONS, HealthStatus.HEALTHY, "invalidations flowing: L1 trusted", start, details);
  }

  private HealthCheck l1Check(HealthThresholds thresholds) {
    long start = System.nanoTime();
    long size = engine.l1Size();
    long max = config.l1MaximumSize();
    double fill = max <= 0 ? 0 : (double) size / max;
    Map<String, Object> details = Map.of("size", size, "maximumSize", max, "fill", fill);
    if (fill > thresholds.l1FillDegraded()) {
      return check(
          L1,
          HealthStatus.DEGRADED,
          String.format(
              Locale.ROOT,
              "L1 %.0f %% full (%d of %d): hot entries are being evicted; consider a larger L1",
              fill * 100,
              size,
              max),
          start,
          details);
    }
    return check(L1, HealthStatus.HEALTHY, size + " of " + max + " entries", start, details);
  }

  static HealthCheck check(
      String name,
      HealthStatus status,
      String message,
      long startNanos,
      Map<String, Object> details) {
    return new HealthCheck(
        name,
        status,
        message,
        Duration.ofNanos(Math.max(0, System.nanoTime() - startNanos)),
        details);
  }

  private static <T> T await(CompletionStage<T> stage, long deadlineNanos) throws Exception {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      throw new TimeoutException("health check time budget spent");
    }
    try {
      return stage.toCompletableFuture().get(remaining, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception exception ? exception : e;
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static double millis(Duration duration) {
    return duration.toNanos() / 1_000_000.0;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
