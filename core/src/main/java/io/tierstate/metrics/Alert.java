package io.tierstate.metrics;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A notification that an {@link AlertRule} fired.
 *
 * @param rule the name of the rule that fired
 * @param message what was found, such as {@code "hit rate 0.42 below 0.80"}
 * @param firedAt when the rule fired
 * @param snapshot the metrics the rule was evaluated on
 * @param health the health report the rule was evaluated with, when there was one
 */
public record Alert(
    String rule,
    String message,
    Instant firedAt,
    MetricsSnapshot snapshot,
    @Nullable HealthReport health) {}
