package io.tierstate.metrics;

/**
 * How healthy a node, or one of its checks, is. Ordered from best to worst, so the overall status
 * of a report is the worst status of its checks.
 */
public enum HealthStatus {
  /** Everything works as configured. */
  HEALTHY,
  /**
   * The node serves requests, but with reduced guarantees or headroom (for example without Redis).
   */
  DEGRADED,
  /** The node cannot do its job as configured (for example Redis is down and required). */
  UNHEALTHY;

  /** The worse of this status and {@code other}. */
  public HealthStatus worst(HealthStatus other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /** Whether this status is {@code other} or worse. */
  public boolean atLeast(HealthStatus other) {
    return compareTo(other) >= 0;
  }
}
