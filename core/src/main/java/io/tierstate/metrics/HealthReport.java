package io.tierstate.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A node's health at one moment: an overall status and the checks it was derived from. The overall
 * status is the worst status of the checks; the checks themselves apply the configuration (Redis
 * unreachable is {@link HealthStatus#DEGRADED} unless Redis is required).
 *
 * @param status the overall status
 * @param checkedAt when the checks started
 * @param duration how long all checks took together
 * @param checks the checks, in the order they ran
 */
public record HealthReport(
    HealthStatus status, Instant checkedAt, Duration duration, List<HealthCheck> checks) {

  /** A report with an unmodifiable copy of {@code checks}. */
  public HealthReport {
    checks = List.copyOf(checks);
  }

  /** The check named {@code name}, if the report has one. */
  public Optional<HealthCheck> check(String name) {
    return checks.stream().filter(check -> check.name().equals(name)).findFirst();
  }
}
