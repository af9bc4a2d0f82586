package io.tierstate.patterns;

import io.tierstate.TierstateException;

/**
 * A write-through failed: the source of truth threw a checked exception (the cache is untouched),
 * or the source was updated but the cache could not be (the key was then deleted from the cache
 * where possible). The cause is the original failure.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class WriteThroughException extends TierstateException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message naming the key and the failure that caused it. */
  public WriteThroughException(String message, Throwable cause) {
    super(message, cause);
  }
}
