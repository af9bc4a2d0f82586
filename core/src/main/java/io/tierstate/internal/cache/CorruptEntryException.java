package io.tierstate.internal.cache;

import io.tierstate.TierstateException;

/**
 * Bytes read from L2 are not a valid entry: a foreign value under a Tierstate key, a format this
 * version does not read, or damaged data. The cache counts and logs it and treats the read as a
 * miss; it never reaches a caller.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class CorruptEntryException extends TierstateException {
  private static final long serialVersionUID = 1L;

  CorruptEntryException(String message) {
    super(message);
  }

  CorruptEntryException(String message, Throwable cause) {
    super(message, cause);
  }
}
