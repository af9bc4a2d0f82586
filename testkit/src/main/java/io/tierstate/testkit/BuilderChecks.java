package io.tierstate.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The argument checks the testkit's builders share. */
final class BuilderChecks {
  private BuilderChecks() {}

  static void addArgs(List<String> into, String... args) {
    for (String arg : args) {
      into.add(Objects.requireNonNull(arg, "args must not contain null"));
    }
  }

  static int port(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    return port;
  }

  static Duration positiveStartupTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
    }
    return timeout;
  }
}
