package io.tierstate;

/**
 * The root of Tierstate's exception tree. Bad arguments are reported with {@link
 * IllegalArgumentException} instead, as the JDK does; this tree is for failures of the platform:
 * Redis unreachable when it is required, a value that cannot be encoded, a loader that failed.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class TierstateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message that says what went wrong and, where it can, what to do. */
  public TierstateException(String message) {
    super(message);
  }

  /** An exception with a message and the failure that caused it. */
  public TierstateException(String message, Throwable cause) {
    super(message, cause);
  }
}
