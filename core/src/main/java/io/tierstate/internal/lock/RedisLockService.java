package io.tierstate.internal.lock;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tierstate.TierstateException;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.keys.CacheKeys;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockOptions;
import io.tierstate.lock.LockService;
import io.tierstate.lock.LockTimeoutException;
import io.tierstate.lock.LockedTask;
import io.tierstate.metrics.MeterNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@link LockService} on Redis. Each lock is one key, {@code <namespace>:lock:{<name>}},
 * holding its owner's token with the lease as expiry, beside a counter {@code
 * <namespace>:lock:{<name>}:fence} in the same hash slot that the acquire script increments for the
 * fencing token. Waiters poll with a jittered backoff from 10 to 100 ms, never past the holder's
 * remaining lease or their own deadline.
 *
 * <p>Thread-safe. Internal to Tierstate: obtain the service from {@code Tierstate.locks()}.
 */
public final class RedisLockService implements LockService, AutoCloseable {
  private static final LuaScript ACQUIRE = LuaScript.load(RedisLockService.class, "acquire.lua");
  private static final LuaScript RELEASE = LuaScript.load(RedisLockService.class, "release.lua");
  private static final LuaScript RENEW = LuaScript.load(RedisLockService.class, "renew.lua");
  private static final Duration MIN_LEASE = Duration.ofMillis(1);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final RedisExecutor redis;
  private final String keyPrefix;
  private final String nodeId;
  private final ScheduledThreadPoolExecutor renewals;
  private final Counter acquired;
  private final Counter timedOut;
  private final Timer waits;
  private final MeterRegistry registry;

  private RedisLockService(
      RedisExecutor redis, String namespace, String nodeId, MeterRegistry registry) {
    this.redis = redis;
    this.keyPrefix = namespace + ":lock:";
    this.nodeId = nodeId;
    this.registry = registry;
    this.renewals =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "tierstate-lock-renewal");
              thread.setDaemon(true);
              return thread;
            });
    renewals.setRemoveOnCancelPolicy(true);
    this.acquired =
        Counter.builder(MeterNames.LOCK_ACQUISITIONS).tag("result", "acquired").register(registry);
    this.timedOut =
        Counter.builder(MeterNames.LOCK_ACQUISITIONS).tag("result", "timeout").register(registry);
    this.waits = Timer.builder(MeterNames.LOCK_WAIT).register(registry);
  }

  /**
   * A lock service whose keys live under {@code namespace}, with owner tokens naming {@code
   * nodeId}.
   */
  public static RedisLockService create(
      RedisExecutor redis, String namespace, String nodeId, MeterRegistry registry) {
    return new RedisLockService(redis, namespace, nodeId, registry);
  }

  @Override
  public LockHandle acquire(String name, Duration lease, Duration maxWait) {
    return acquire(name, lease, maxWait, LockOptions.defaults());
  }

  @Override
  public LockHandle acquire(String name, Duration lease, Duration maxWait, LockOptions options) {
    requireValidName(name);
    requireValidLease(lease);
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, but was " + maxWait);
    }
    Objects.requireNonNull(options, "options");
    String token = newToken();
    long waitNanos = saturatedNanos(maxWait);
    long start = System.nanoTime();
    long backoff = MIN_BACKOFF_NANOS;
    while (true) {
      long sent = System.nanoTime();
      long[] attempt = attempt(name, token, lease);
      long now = System.nanoTime();
      if (attempt[0] == 1) {
        acquired.increment();
        waits.record(now - start, TimeUnit.NANOSECONDS);
        return newHandle(name, token, attempt[1], lease, sent, options);
      }
      long remaining = waitNanos - (now - start);
      if (remaining <= 0) {
        timedOut.increment();
        waits.record(now - start, TimeUnit.NANOSECONDS);
        throw new LockTimeoutException(name, maxWait);
      }
      long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      long holderLeft = attempt[1] > 0 ? TimeUnit.MILLISECONDS.toNanos(attempt[1]) : Long.MAX_VALUE;
      sleep(name, Math.max(1, Math.min(jittered, Math.min(remaining, holderLeft))));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  @Override
  public Optional<LockHandle> tryAcquire(String name, Duration lease) {
    requireValidName(name);
    requireValidLease(lease);
    String token = newToken();
    long sent = System.nanoTime();
    long[] attempt = attempt(name, token, lease);
    if (attempt[0] == 1) {
      acquired.increment();
      waits.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
      return Optional.of(newHandle(name, token, attempt[1], lease, sent, LockOptions.defaults()));
    }
    timedOut.increment();
    return Optional.empty();
  }

  @Override
  public <T, X extends Exception> T withLock(
      String name, Duration lease, Duration maxWait, LockedTask<T, X> task) throws X {
    return withLock(name, lease, maxWait, LockOptions.defaults(), task);
  }

  @Override
  public <T, X extends Exception> T withLock(
      String name, Duration lease, Duration maxWait, LockOptions options, LockedTask<T, X> task)
      throws X {
    Objects.requireNonNull(task, "task");
    LockHandle lock = acquire(name, lease, maxWait, options);
    try {
      return task.run();
    } finally {
      lock.close();
    }
  }

  /** Stops renewing locks; locks still held end with their lease, as if this node had crashed. */
  @Override
  public void close() {
    renewals.shutdownNow();
  }

  private RedisLockHandle newHandle(
      String name, String token, long fence, Duration lease, long sentNanos, LockOptions options) {
    RedisLockHandle handle =
        new RedisLockHandle(
            this, name, token, fence, lease.toNanos(), sentNanos, options.lossListener());
    if (options.renews()) {
      handle.startRenewal(renewals);
    }
    return handle;
  }

  /** {acquired 1/0, fencing token or the holder's remaining lease in ms}. */
  private long[] attempt(String name, String token, Duration lease) {
    List<Object> result =
        redis.call(
            "acquire lock '" + name + "'",
            commands ->
                ACQUIRE.<List<Object>>run(
                    commands,
                    ScriptOutputType.MULTI,
                    new String[] {lockKey(name), fenceKey(name)},
                    bytes(token),
                    bytes(Long.toString(lease.toMillis()))));
    return new long[] {(Long) result.get(0), (Long) result.get(1)};
  }

  boolean release(String name, String token) {
    Long released =
        redis.call(
            "release lock '" + name + "'",
            commands ->
                RELEASE.<Long>run(
                    commands,
                    ScriptOutputType.INTEGER,
                    new String[] {lockKey(name)},
                    bytes(token)));
    return released == 1L;
  }

  boolean renew(String name, String token, long leaseNanos) {
    long leaseMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(leaseNanos));
    Long renewed =
        redis.call(
            "renew lock '" + name + "'",
            commands ->
                RENEW.<Long>run(
                    commands,
                    ScriptOutputType.INTEGER,
                    new String[] {lockKey(name)},
                    bytes(token),
                    bytes(Long.toString(leaseMillis))));
    return renewed == 1L;
  }

  void recordLoss(String cause) {
    Counter.builder(MeterNames.LOCK_LOSSES).tag("cause", cause).register(registry).increment();
  }

  String lockKey(String name) {
    return keyPrefix + "{" + name + "}";
  }

  private String fenceKey(String name) {
    return keyPrefix + "{" + name + "}:fence";
  }

  private String newToken() {
    return nodeId + ":" + UUID.randomUUID();
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static void sleep(String name, long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TierstateException("interrupted while waiting for lock '" + name + "'", e);
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static void requireValidName(@Nullable String name) {
    try {
      CacheKeys.requireValidTag(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid lock name: " + e.getMessage() + " (lock names follow the rules of cache tags)",
          e);
    }
  }

  private static void requireValidLease(@Nullable Duration lease) {
    Objects.requireNonNull(lease, "lease");
    if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
      throw new IllegalArgumentException(
          "lease must be between " + MIN_LEASE + " and " + MAX_LEASE + ", but was " + lease);
    }
  }
}
