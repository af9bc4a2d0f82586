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

  static Duration positiveStartupTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
    }
    return timeout;
  }
}
