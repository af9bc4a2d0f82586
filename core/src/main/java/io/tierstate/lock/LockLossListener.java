package io.tierstate.lock;

/**
 * Told when an auto-renewed lock is lost before it was released, so the holder can stop work that
 * must not continue without it. Called once per handle, on Tierstate's renewal thread: return
 * quickly. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface LockLossListener {

  /** Why a lock was lost. */
  enum Cause {
    /** Redis answered that the lock is no longer this holder's: it expired or was taken over. */
    NOT_OWNER,
    /** Renewals failed (Redis unreachable or slow) until the lease ran out. */
    REDIS_UNAVAILABLE
  }

  /** Called when {@code lock} is lost; {@link LockHandle#isHeld()} already returns false. */
  void lockLost(LockHandle lock, Cause cause);
}
