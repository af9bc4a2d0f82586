package io.tierstate.spring;

import io.tierstate.Tierstate;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code tierstate} Actuator health: Tierstate's {@link HealthReport} with HEALTHY as {@code
 * UP}, UNHEALTHY as {@code DOWN}, and DEGRADED (serving from L1 and loaders while Redis or the
 * invalidations are impaired) as the configured {@code tierstate.health.degraded-status}, {@code UP}
 * by default so that a Redis outage does not take every node out of its load balancer. Each named
 * check is a detail with its status, message and measurements.
 *
 * <p>Thread-safe.
 */
public final class TierstateHealthIndicator implements HealthIndicator {
  private final Tierstate tierstate;
  private final Status degraded;

  /** An indicator for {@code tierstate}, reporting DEGRADED as {@code degraded}. */
  public TierstateHealthIndicator(Tierstate tierstate, Status degraded) {
    this.tierstate = tierstate;
    this.degraded = degraded;
  }

  @Override
  public Health health() {
    HealthReport report = tierstate.metrics().healthCheck();
    Status status = switch (report.status()) {
      case HEALTHY -> Status.UP;
      case DEGRADED -> degraded;
      case UNHEALTHY -> Status.DOWN;
    };
    Health.Builder health = Health.status(status)
        .withDetail("status", report.status().name())
        .withDetail("nodeId", tierstate.nodeId());
    for (HealthCheck check : report.checks()) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", check.status().name());
      detail.put("message", check.message());
      detail.put("durationMs", check.duration().toNanos() / 1e6);
      detail.putAll(check.details());
      health.withDetail(check.name(), detail);
    }
    return health.build();
  }
}
