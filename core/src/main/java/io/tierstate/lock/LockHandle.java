package io.tierstate.lock;

/**
 * A lock held by this process, from {@link LockService#acquire} or {@link LockService#tryAcquire}.
 * Close it (try-with-resources) to release the lock.
 *
 * <p>The lock is leased: Redis drops it when the lease ends unless it is renewed, so a crashed
 * holder blocks others for at most one lease. Pass {@link #fencingToken()} to the resource the lock
 * protects, and have it refuse writes with a token lower than one it has seen: that is what keeps a
 * holder that paused past its lease from doing harm.
 *
 * <p>Thread-safe.
 */
public interface LockHandle extends AutoCloseable {

  /** The lock's name, as passed to {@link LockService#acquire}. */
  String name();

  /**
   * The fencing token of this acquisition: strictly greater than the token of every earlier
   * acquisition of the same name, on any node (as long as Redis keeps its data).
   */
  long fencingToken();

  /**
   * Whether this handle still holds the lock, as far as this process knows: false once it was
   * released, once its lease ran out without a renewal, or once a renewal found that the lock is no
   * longer its own. A true answer can turn false at any moment; fence writes with {@link
   * #fencingToken()}.
   */
  boolean isHeld();

  /**
   * Releases the lock if this handle still holds it in Redis, and stops its renewal. Owner-checked:
   * a handle whose lease expired never deletes the lock of the holder that came next. Releasing
   * again does nothing and returns false.
   *
   * @return whether the lock was still this handle's in Redis and is now released
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached; the lock is then
   *     released when its lease ends, and the handle no longer counts as held
   */
  boolean release();

  /**
   * Releases the lock like {@link #release()}, but logs instead of throwing when Redis cannot be
   * reached (the lease then ends by itself), so it never masks the exception of a try block.
   */
  @Override
  void close();
}
