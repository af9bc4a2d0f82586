package io.tierstate.server.analytics;

import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.http.ApiError;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The periods analytics are computed over: a fixed set, so that the cache holds at most three
 * entries per tenant and a client cannot fill it with arbitrary ranges.
 */
enum AnalyticsRange {
  DAYS_7("7d", 7),
  DAYS_30("30d", 30),
  DAYS_90("90d", 90);

  private final String text;
  private final int days;

  AnalyticsRange(String text, int days) {
    this.text = text;
    this.days = days;
  }

  /** How the API and the cache key spell it: {@code 7d}. */
  String text() {
    return text;
  }

  /** The number of UTC days covered, today included. */
  int days() {
    return days;
  }

  /**
   * The {@code range} parameter, {@code 7d} when absent.
   *
   * @throws ApiError 400 {@code invalid_parameter} for any other value
   */
  static AnalyticsRange of(QueryParameters parameters) {
    @Nullable String given = parameters.text("range");
    if (given == null) {
      return DAYS_7;
    }
    for (AnalyticsRange range : values()) {
      if (range.text.equals(given)) {
        return range;
      }
    }
    throw ApiError.badRequest("invalid_parameter", "'range' must be one of "
        + Arrays.stream(values()).map(AnalyticsRange::text).collect(Collectors.joining(", "))
        + ", but was '" + QueryParameters.shorten(given) + "'");
  }
}
