package io.tierstate.lock;

import io.tierstate.TierstateException;
import java.time.Duration;

/**
 * Thrown when a lock could not be acquired within the time the caller was willing to wait.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LockTimeoutException extends TierstateException {
  private static final long serialVersionUID = 1L;

  private final String lockName;
  private final Duration maxWait;

  /** An exception for lock {@code lockName}, not acquired within {@code maxWait}. */
  public LockTimeoutException(String lockName, Duration maxWait) {
    super(
        "lock '"
            + lockName
            + "' was not acquired within maxWait "
            + maxWait
            + "; another holder kept it for the whole wait");
    this.lockName = lockName;
    this.maxWait = maxWait;
  }

  /** The name of the lock that was not acquired. */
  public String lockName() {
    return lockName;
  }

  /** How long the caller waited. */
  public Duration maxWait() {
    return maxWait;
  }
}
