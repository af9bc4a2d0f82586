package io.tierstate;

/**
 * Redis could not be used: it is unreachable, timed out, or the circuit breaker is open. Cache
 * operations catch this and degrade to L1 and the loader; it reaches callers only where Redis is
 * required, such as start-up with {@code REDIS_REQUIRED=true}.
 */
public class RedisUnavailableException extends TierstateException {
  private static final long serialVersionUID = 1L;

  /** An exception that says which Redis operation could not run, and why. */
  public RedisUnavailableException(String message) {
    super(message);
  }

  /** An exception that says which Redis operation could not run, with the underlying failure. */
  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
