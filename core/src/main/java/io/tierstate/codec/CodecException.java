package io.tierstate.codec;

import io.tierstate.TierstateException;

/**
 * A value could not be encoded, or bytes could not be decoded (or decompressed) into the requested
 * type.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class CodecException extends TierstateException {
  private static final long serialVersionUID = 1L;

  /** An exception naming what could not be encoded or decoded, and why. */
  public CodecException(String message) {
    super(message);
  }

  /** An exception naming what could not be encoded or decoded, and the failure that caused it. */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
