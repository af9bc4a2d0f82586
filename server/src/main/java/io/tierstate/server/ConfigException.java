package io.tierstate.server;

/**
 * A configuration value is missing or invalid; the message names the environment variable and
 * says what it expects, such as {@code "PORT must be a port number 0-65535, but was 'x'"}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the variable. */
  public ConfigException(String message) {
    super(message);
  }
}
