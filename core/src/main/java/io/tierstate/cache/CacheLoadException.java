package io.tierstate.cache;

import io.tierstate.TierstateException;

/** A loader failed and no stale value could be served in its place; the cause is the loader's. */
public class CacheLoadException extends TierstateException {
  private static final long serialVersionUID = 1L;

  /** An exception naming the key whose loader failed. */
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
