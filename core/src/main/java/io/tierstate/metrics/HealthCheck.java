package io.tierstate.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one named check in a {@link HealthReport}.
 *
 * @param name the check's name, such as {@code redis.ping}
 * @param status the check's status
 * @param message what the check found, for people
 * @param duration how long the check took
 * @param details measurements behind the status (latencies in milliseconds, ratios, sizes), ready
 *     to serialize as JSON
 */
public record HealthCheck(
    String name,
    HealthStatus status,
    String message,
    Duration duration,
    Map<String, Object> details) {

  /** A check with an unmodifiable copy of {@code details}. */
  public HealthCheck {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * What a check returns before Tierstate adds its name and duration: the status, a message and
   * details. Registered checks ({@link TierstateMetrics#registerCheck}) return one.
   *
   * @param status the status
   * @param message what the check found
   * @param details measurements behind the status
   */
  public record Result(HealthStatus status, String message, Map<String, Object> details) {

    /** A result with an unmodifiable copy of {@code details}. */
    public Result {
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A healthy result. */
    public static Result healthy(String message) {
      return new Result(HealthStatus.HEALTHY, message, Map.of());
    }

    /** A degraded result. */
    public static Result degraded(String message) {
      return new Result(HealthStatus.DEGRADED, message, Map.of());
    }

    /** An unhealthy result. */
    public static Result unhealthy(String message) {
      return new Result(HealthStatus.UNHEALTHY, message, Map.of());
    }

    /** This result with one more detail. */
    public Result withDetail(String key, Object value) {
      Map<String, Object> more = new LinkedHashMap<>(details);
      more.put(key, value);
      return new Result(status, message, more);
    }
  }
}
