package io.tierstate.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs Redis commands for every Tierstate feature the same way: behind the circuit breaker, waiting
 * at most the command timeout, with every failure turned into a {@link RedisUnavailableException}
 * and counted ({@code tierstate.cache.errors{kind=redis}}).
 *
 * <p>Thread-safe. Internal to Tierstate.
 */
public final class RedisExecutor {
  private final RedisConnector connector;
  private final CircuitBreaker breaker;
  private final Counter errors;
  private final long awaitMillis;

  /** An executor over {@code connector}'s shared connection. */
  public RedisExecutor(RedisConnector connector, CircuitBreaker breaker, MeterRegistry registry,
      Duration commandTimeout) {
    this.connector = connector;
    this.breaker = breaker;
    this.errors = Counter.builder(MeterNames.CACHE_ERRORS).tag("kind", "redis").register(registry);
    // Lettuce enforces the command timeout itself; this bound only guards against a lost future.
    this.awaitMillis = commandTimeout.toMillis() * 2 + 100;
  }

  /**
   * Runs commands and waits for their result.
   *
   * @param what what the commands do, for error messages
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   */
  public <T> T call(String what, Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> commands) {
    if (!breaker.allowRequest()) {
      throw new RedisUnavailableException("Redis circuit breaker is open; skipped " + what);
    }
    try {
      T result = commands.apply(connector.async()).toCompletableFuture().get(awaitMillis, TimeUnit.MILLISECONDS);
      breaker.onSuccess();
      return result;
    } catch (ExecutionException e) {
      throw failed(what, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException | RuntimeException e) {
      throw failed(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException("interrupted during " + what, e);
    }
  }

  private RedisUnavailableException failed(String what, Throwable cause) {
    errors.increment();
    // A command Redis executed and refused (a script error, WRONGTYPE) says nothing about its
    // health: only connection failures and timeouts count towards opening the breaker.
    if (!(cause instanceof RedisCommandExecutionException)) {
      breaker.onFailure();
    }
    if (cause instanceof RedisUnavailableException unavailable) {
      return unavailable;
    }
    return new RedisUnavailableException("Redis failed during " + what + ": " + cause, cause);
  }

  /** Whether the breaker is closed (a read of its state; it never takes the half-open probe). */
  public boolean healthy() {
    return breaker.state() == CircuitBreaker.State.CLOSED;
  }

  /** Closes the breaker: another connection to the same server just succeeded. */
  public void markReachable() {
    breaker.onSuccess();
  }

  /** The connector, for features that need a dedicated connection. */
  public RedisConnector connector() {
    return connector;
  }
}
