package io.tierstate.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * Distributed locks shared by every node on the same Redis and namespace. Obtain it from {@code
 * Tierstate.locks()}.
 *
 * <pre>{@code
 * try (LockHandle lock = ts.locks().acquire("nightly-report", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
 *   report.run(lock.fencingToken());
 * }
 * }</pre>
 *
 * <p>A lock name is 1 to 256 characters with the rules of a cache tag (no whitespace, control
 * characters, braces or glob characters; see {@link io.tierstate.keys.CacheKeys#requireValidTag}).
 * A lease is between 1 ms and 1 day. Locks are not reentrant: acquiring a lock this thread already
 * holds waits like any other caller.
 *
 * <p>Thread-safe.
 */
public interface LockService {

  /** The longest lease a lock may have. */
  Duration MAX_LEASE = Duration.ofDays(1);

  /**
   * Acquires a lock held for one lease, waiting at most {@code maxWait} for its holder to let go.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid lock name, {@code lease} is
   *     shorter than 1 ms or longer than 1 day, or {@code maxWait} is negative
   * @throws LockTimeoutException if the lock is still held by another owner after {@code maxWait}
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   * @throws io.tierstate.TierstateException if the thread is interrupted while waiting (its
   *     interrupt flag is set again)
   */
  LockHandle acquire(String name, Duration lease, Duration maxWait);

  /**
   * Acquires a lock, waiting at most {@code maxWait}, and holds it as {@code options} say.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid lock name, {@code lease} is
   *     shorter than 1 ms or longer than 1 day, or {@code maxWait} is negative
   * @throws NullPointerException if {@code options} is null
   * @throws LockTimeoutException if the lock is still held by another owner after {@code maxWait}
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   * @throws io.tierstate.TierstateException if the thread is interrupted while waiting
   */
  LockHandle acquire(String name, Duration lease, Duration maxWait, LockOptions options);

  /**
   * Acquires a lock held for one lease if it is free now, without waiting.
   *
   * @return the handle, or empty if another owner holds the lock
   * @throws IllegalArgumentException if {@code name} is not a valid lock name, or {@code lease} is
   *     shorter than 1 ms or longer than 1 day
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  Optional<LockHandle> tryAcquire(String name, Duration lease);

  /**
   * Runs {@code task} while holding the lock (for one lease), and releases it afterwards, also when
   * the task throws. The task is not stopped if the lease runs out; fence its writes with the
   * token, or use {@link #withLock(String, Duration, Duration, LockOptions, LockedTask)} to renew.
   *
   * @return what the task returned
   * @throws X what the task threw
   * @throws IllegalArgumentException if {@code name} is not a valid lock name, {@code lease} is
   *     shorter than 1 ms or longer than 1 day, or {@code maxWait} is negative
   * @throws LockTimeoutException if the lock is still held by another owner after {@code maxWait}
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached to acquire
   */
  <T, X extends Exception> T withLock(
      String name, Duration lease, Duration maxWait, LockedTask<T, X> task) throws X;

  /**
   * Runs {@code task} while holding the lock as {@code options} say, and releases it afterwards,
   * also when the task throws.
   *
   * @return what the task returned
   * @throws X what the task threw
   * @throws IllegalArgumentException if {@code name} is not a valid lock name, {@code lease} is
   *     shorter than 1 ms or longer than 1 day, or {@code maxWait} is negative
   * @throws NullPointerException if {@code options} is null
   * @throws LockTimeoutException if the lock is still held by another owner after {@code maxWait}
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached to acquire
   */
  <T, X extends Exception> T withLock(
      String name, Duration lease, Duration maxWait, LockOptions options, LockedTask<T, X> task)
      throws X;
}
