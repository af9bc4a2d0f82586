package io.tierstate;

/**
 * Redis was reached and refused a command because of the data or the command itself: a key holding
 * another type ({@code WRONGTYPE}), a script error, a wrong argument. Unlike {@link
 * io.tierstate.RedisUnavailableException}, it is not a reason to degrade: retrying or falling back
 * would hide a bug or a key written by something else, so it reaches the caller.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RedisCommandException extends TierstateException {
  private static final long serialVersionUID = 1L;

  /** An exception that says which Redis operation was refused, with Redis's error. */
  public RedisCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
