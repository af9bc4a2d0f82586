package io.tierstate.lock;

/**
 * Work to run while holding a lock, with {@link LockService#withLock}.
 *
 * @param <T> the result type
 * @param <X> the checked exception the work may throw ({@link RuntimeException} if none)
 */
@FunctionalInterface
public interface LockedTask<T, X extends Exception> {

  /**
   * Runs the work.
   *
   * @throws X if the work fails; the lock is released and the exception propagates unchanged
   */
  T run() throws X;
}
