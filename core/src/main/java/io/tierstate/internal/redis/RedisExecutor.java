package io.tierstate.internal.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisCommandException;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateException;
import io.tierstate.metrics.MeterNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs Redis commands for every Tierstate feature the same way: behind the circuit breaker, waiting
 * at most the command timeout, with every failure counted ({@code
 * tierstate.cache.errors{kind=redis}}) and turned into a {@link RedisUnavailableException} when
 * Redis could not serve (unreachable, timed out, loading, busy, failing over, out of memory) or a
 * {@link RedisCommandException} when it refused the command itself ({@code WRONGTYPE}, a script
 * error): callers degrade on the first and must see the second.
 *
 * <p>Thread-safe. Internal to Tierstate.
 */
public final class RedisExecutor {
  private final RedisConnector connector;
  private final CircuitBreaker breaker;
  private final Counter errors;
  private final Counter callerThreadReads;
  private final Counter sharedConnectionReads;
  private final long awaitMillis;

  /** An executor over {@code connector}'s shared connection. */
  public RedisExecutor(
      RedisConnector connector,
      CircuitBreaker breaker,
      MeterRegistry registry,
      Duration commandTimeout) {
    this.connector = connector;
    this.breaker = breaker;
    this.errors = Counter.builder(MeterNames.CACHE_ERRORS).tag("kind", "redis").register(registry);
    this.callerThreadReads =
        Counter.builder(MeterNames.REDIS_READS)
            .tag("path", "caller_thread")
            .description("reads from Redis on the caller's thread, over a direct read connection")
            .register(registry);
    this.sharedConnectionReads =
        Counter.builder(MeterNames.REDIS_READS)
            .tag("path", "shared_connection")
            .description(
                "reads from Redis that could use a direct read connection but went through Lettuce's shared connection")
            .register(registry);
    DirectReads direct = connector.directReads();
    if (direct != null) {
      Gauge.builder(MeterNames.REDIS_DIRECT_CONNECTIONS, direct, DirectReads::openConnections)
          .description("open connections for reads on the caller's thread")
          .register(registry);
    }
    // Lettuce enforces the command timeout itself; this bound only guards against a lost future.
    this.awaitMillis = commandTimeout.toMillis() * 2 + 100;
  }

  /**
   * Runs commands and waits for their result.
   *
   * @param what what the commands do, for error messages
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   * @throws RedisCommandException when Redis refuses the command ({@code WRONGTYPE}, a script
   *     error)
   */
  public <T> T call(
      String what,
      Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> commands) {
    requireClosedBreaker(what);
    return run(what, commands);
  }

  /**
   * {@code GET key}: on the caller's thread when a direct read connection is free (see {@link
   * io.tierstate.TierstateConfig#directReadConnections()}), else through the shared connection.
   *
   * @return the value, or null if the key does not exist
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   * @throws RedisCommandException when Redis refuses the command ({@code WRONGTYPE}, a script
   *     error)
   */
  public byte @Nullable [] get(String key) {
    return read(
            "GET",
            direct -> direct.get(key),
            redis -> redis.get(key).thenApply(DirectReads.Reply::new))
        .value();
  }

  /**
   * {@code MGET keys}, like {@link #get}: on the caller's thread when it can be (on a Cluster, as
   * pipelined {@code GET}s per primary), else through the shared connection.
   *
   * @return one entry per key, in order, without a value where the key does not exist
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   * @throws RedisCommandException when Redis refuses the command ({@code WRONGTYPE}, a script
   *     error)
   */
  public List<KeyValue<String, byte[]>> mget(String[] keys) {
    return read("MGET", direct -> direct.mget(keys), redis -> redis.mget(keys));
  }

  /**
   * {@code HGETALL key}, like {@link #get}: on the caller's thread when it can be, else through the
   * shared connection.
   *
   * @param what what the read is for, for error messages
   * @return the hash's fields, empty if the key does not exist
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   * @throws RedisCommandException when Redis refuses the command ({@code WRONGTYPE}, a script
   *     error)
   */
  public Map<String, byte[]> hgetall(String what, String key) {
    return read(what, direct -> direct.hgetall(key), redis -> redis.hgetall(key));
  }

  /**
   * A script of one key that returns an array, like {@link #get}: {@code EVALSHA} on the caller's
   * thread when a direct connection is free and the server has the script, else through the shared
   * connection, which loads the script when the server lacks it. For short scripts of every request
   * that may run twice in the rare case a direct connection fails after sending (see {@link
   * DirectReads#evalsha}): a rate limit, not a write that must happen once.
   *
   * @param what what the script is for, for error messages
   * @throws RedisUnavailableException when the breaker is open, or Redis fails or times out
   * @throws RedisCommandException when Redis refuses the script
   */
  public List<Object> script(String what, LuaScript script, String key, byte[]... args) {
    return read(
        what,
        direct -> direct.evalsha(script.sha(), key, args),
        redis -> script.run(redis, ScriptOutputType.MULTI, new String[] {key}, args));
  }

  /**
   * One read under the breaker: on a direct read connection when {@code direct} serves it (a
   * non-null result), else through the shared connection.
   */
  private <T> T read(
      String what,
      DirectRead<T> direct,
      Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> shared) {
    requireClosedBreaker(what);
    DirectReads reads = directReadsWhileConnected();
    if (reads != null) {
      T served;
      try {
        served = direct.on(reads);
      } catch (RuntimeException e) {
        throw failed(what, e);
      }
      if (served != null) {
        breaker.onSuccess();
        callerThreadReads.increment();
        return served;
      }
    }
    sharedConnectionReads.increment();
    return run(what, shared);
  }

  /** A read on a direct read connection: its result, or null when it was left to the shared one. */
  @FunctionalInterface
  private interface DirectRead<T> {
    @Nullable T on(DirectReads reads);
  }

  /**
   * While Lettuce is disconnected, Redis is probably down: let its connection fail fast instead.
   */
  private @Nullable DirectReads directReadsWhileConnected() {
    DirectReads direct = connector.directReads();
    return direct != null && connector.isConnected() ? direct : null;
  }

  private void requireClosedBreaker(String what) {
    if (!breaker.allowRequest()) {
      throw new RedisUnavailableException("Redis circuit breaker is open; skipped " + what);
    }
  }

  private <T> T run(
      String what,
      Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> commands) {
    try {
      T result =
          commands
              .apply(connector.async())
              .toCompletableFuture()
              .get(awaitMillis, TimeUnit.MILLISECONDS);
      breaker.onSuccess();
      return result;
    } catch (ExecutionException e) {
      throw failed(what, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException | RuntimeException e) {
      throw failed(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Nothing was learnt about Redis; if this call was the probe, let the next call probe.
      breaker.abandonProbe();
      throw new RedisUnavailableException("interrupted during " + what, e);
    }
  }

  /**
   * Error replies that say Redis cannot serve now rather than that the command is wrong: callers
   * degrade on these as on a lost connection. {@code MOVED} and {@code ASK} get here only when
   * Lettuce gave up following them (its redirect limit, a slot whose owners disagree in the middle
   * of a failed migration): the cluster cannot serve that slot now, an outage, not a bad command
   * (the fault suite's slot migration answered 500 for them before).
   */
  private static final List<String> UNAVAILABLE_REPLIES =
      List.of(
          "LOADING",
          "BUSY",
          "MASTERDOWN",
          "CLUSTERDOWN",
          "TRYAGAIN",
          "READONLY",
          "NOREPLICAS",
          "OOM",
          "MOVED",
          "ASK");

  /**
   * Every call the breaker let through ends in onSuccess, onFailure or abandonProbe: a probe that
   * ended in none of them would leave the breaker half-open, refusing every call for good.
   */
  private TierstateException failed(String what, Throwable cause) {
    errors.increment();
    if (cause instanceof RedisCommandExecutionException refused) {
      // Redis executed the command and answered with an error: it is reachable.
      breaker.onSuccess();
      if (!isUnavailableReply(refused.getMessage())) {
        return new RedisCommandException(
            "Redis refused " + what + ": " + refused.getMessage(), refused);
      }
    } else {
      breaker.onFailure();
    }
    if (cause instanceof RedisUnavailableException unavailable) {
      return unavailable;
    }
    return new RedisUnavailableException("Redis failed during " + what + ": " + cause, cause);
  }

  static boolean isUnavailableReply(@Nullable String error) {
    if (error == null) {
      return false;
    }
    for (String prefix : UNAVAILABLE_REPLIES) {
      if (error.startsWith(prefix)
          && (error.length() == prefix.length() || error.charAt(prefix.length()) == ' ')) {
        return true;
      }
    }
    return false;
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
