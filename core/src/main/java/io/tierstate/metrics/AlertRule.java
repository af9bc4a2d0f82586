package io.tierstate.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A condition on a node's metrics or health that notifies listeners registered with {@link
 * TierstateMetrics#onAlert}. Rules on counters look at the <em>window</em> since the rule was last
 * evaluated for that listener, so an old burst does not keep a rule firing. A firing rule notifies
 * a listener at most once per cool-down (default {@link #DEFAULT_COOL_DOWN}).
 *
 * <pre>{@code
 * ts.metrics().onAlert(AlertRule.hitRateBelow(0.8), alert -> log.warn(alert.message()));
 * ts.metrics().onAlert(AlertRule.statusAtLeast(HealthStatus.DEGRADED).coolDown(Duration.ofMinutes(1)), pager::send);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class AlertRule {
  /** The cool-down rules start with: 5 minutes. */
  public static final Duration DEFAULT_COOL_DOWN = Duration.ofMinutes(5);

  private final String name;
  private final Duration coolDown;
  private final boolean needsHealth;
  private final Function<Context, Optional<String>> condition;

  private AlertRule(
      String name,
      Duration coolDown,
      boolean needsHealth,
      Function<Context, Optional<String>> condition) {
    if (coolDown.isNegative()) {
      throw new IllegalArgumentException("coolDown must not be negative, but was " + coolDown);
    }
    this.name = name;
    this.coolDown = coolDown;
    this.needsHealth = needsHealth;
    this.condition = condition;
  }

  /**
   * Fires when the hit rate (hits in either tier over reads) in the window is below {@code
   * threshold}. A window without reads does not fire.
   *
   * @throws IllegalArgumentException if {@code threshold} is not in [0, 1]
   */
  public static AlertRule hitRateBelow(double threshold) {
    checkRatio("threshold", threshold);
    return new AlertRule(
        "hit-rate-below-" + threshold,
        DEFAULT_COOL_DOWN,
        false,
        context -> {
          long reads =
              context.current().l1Hits()
                  + context.current().l1Misses()
                  - context.previous().l1Hits()
                  - context.previous().l1Misses();
          long hits =
              context.current().l1Hits()
                  + context.current().l2Hits()
                  - context.previous().l1Hits()
                  - context.previous().l2Hits();
          if (reads <= 0) {
            return Optional.empty();
          }
          double rate = (double) hits / reads;
          return rate < threshold
              ? Optional.of(
                  String.format(
                      Locale.ROOT,
                      "hit rate %.3f below %.3f over %d reads",
                      rate,
                      threshold,
                      reads))
              : Optional.empty();
        });
  }

  /**
   * Fires when errors (of any kind) per cache read in the window exceed {@code threshold}. A window
   * with errors and no reads counts as rate 1.
   *
   * @throws IllegalArgumentException if {@code threshold} is not in [0, 1]
   */
  public static AlertRule errorRateAbove(double threshold) {
    checkRatio("threshold", threshold);
    return new AlertRule(
        "error-rate-above-" + threshold,
        DEFAULT_COOL_DOWN,
        false,
        context -> {
          long errors = context.current().errors() - context.previous().errors();
          long reads =
              context.current().l1Hits()
                  + context.current().l1Misses()
                  - context.previous().l1Hits()
                  - context.previous().l1Misses();
          if (errors <= 0) {
            return Optional.empty();
          }
          double rate = reads <= 0 ? 1 : (double) errors / reads;
          return rate > threshold
              ? Optional.of(
                  String.format(
                      Locale.ROOT,
                      "error rate %.3f above %.3f (%d errors, %d reads)",
                      rate,
                      threshold,
                      errors,
                      reads))
              : Optional.empty();
        });
  }

  /** Fires when the node's health report is {@code status} or worse. */
  public static AlertRule statusAtLeast(HealthStatus status) {
    return new AlertRule(
        "status-at-least-" + status.name().toLowerCase(Locale.ROOT),
        DEFAULT_COOL_DOWN,
        true,
        context -> {
          HealthReport health = context.health();
          if (health == null || !health.status().atLeast(status)) {
            return Optional.empty();
          }
          StringBuilder message = new StringBuilder("health is ").append(health.status());
          for (HealthCheck check : health.checks()) {
            if (check.status() != HealthStatus.HEALTHY) {
              message.append("; ").append(check.name()).append(": ").append(check.message());
            }
          }
          return Optional.of(message.toString());
        });
  }

  /**
   * A rule of your own: {@code condition} returns the alert's message when it fires, empty
   * otherwise.
   *
   * @param needsHealth whether the condition reads {@link Context#health()}; if so, scheduled
   *     evaluations run a health check first
   */
  public static AlertRule of(
      String name, boolean needsHealth, Function<Context, Optional<String>> condition) {
    return new AlertRule(name, DEFAULT_COOL_DOWN, needsHealth, condition);
  }

  /**
   * This rule with another cool-down.
   *
   * @throws IllegalArgumentException if {@code coolDown} is negative
   */
  public AlertRule coolDown(Duration coolDown) {
    return new AlertRule(name, coolDown, needsHealth, condition);
  }

  /** This rule under another name. */
  public AlertRule named(String name) {
    return new AlertRule(name, coolDown, needsHealth, condition);
  }

  /** The rule's name, as it appears in {@link Alert#rule()}. */
  public String name() {
    return name;
  }

  /** The least time between two notifications of one listener. */
  public Duration coolDown() {
    return coolDown;
  }

  /** Whether the rule reads the health report. */
  public boolean needsHealth() {
    return needsHealth;
  }

  Optional<String> evaluate(Context context) {
    return condition.apply(context);
  }

  private static void checkRatio(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], but was " + value);
    }
  }

  @Override
  public String toString() {
    return "AlertRule[" + name + ", coolDown=" + coolDown + "]";
  }

  /**
   * What a rule is evaluated on.
   *
   * @param current the metrics now
   * @param previous the metrics at the previous evaluation for this listener (zeros at the first)
   * @param health the health report, when the evaluation has one
   */
  public record Context(
      MetricsSnapshot current,
      MetricsSnapshot previous,
      @org.jspecify.annotations.Nullable HealthReport health) {}
}
