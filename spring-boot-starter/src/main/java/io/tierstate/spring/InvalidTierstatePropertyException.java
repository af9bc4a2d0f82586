package io.tierstate.spring;

/**
 * A {@code tierstate.*} property has a value that Tierstate rejects; the message names the property
 * and what it expects. Thrown at start-up, so that a running application's configuration is valid.
 */
public final class InvalidTierstatePropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String property;

  InvalidTierstatePropertyException(String property, String message, Throwable cause) {
    super(message, cause);
    this.property = property;
  }

  /** The property at fault, such as {@code tierstate.l1.maximum-size}. */
  public String property() {
    return property;
  }
}
