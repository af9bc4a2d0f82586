package io.tierstate.server.api;

import io.javalin.http.Context;
import io.tierstate.server.WholeNumberRange;
import io.tierstate.server.http.ApiError;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of one request, read strictly: a parameter the route does not know, or one
 * given twice, is a 400 {@code unknown_parameter} / {@code invalid_parameter} naming it, so a typo
 * ({@code ?stauts=active}) is reported instead of silently ignored.
 *
 * <p>Not thread-safe; one per request.
 */
public final class QueryParameters {
  private final Map<String, List<String>> values;

  private QueryParameters(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * The request's parameters, all of which must be among {@code known}.
   *
   * @throws ApiError 400 {@code unknown_parameter} for any other parameter
   */
  public static QueryParameters of(Context ctx, Set<String> known) {
    Map<String, List<String>> values = ctx.queryParamMap();
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw ApiError.badRequest("unknown_parameter", "unknown query parameter '" + name + "'"
            + (known.isEmpty() ? "; this route takes none" : "; known parameters: " + String.join(", ", new TreeSet<>(known))));
      }
    }
    return new QueryParameters(values);
  }

  /**
   * The parameter's value, stripped, or null when it is absent or blank.
   *
   * @throws ApiError 400 {@code invalid_parameter} when it is given more than once
   */
  public @Nullable String text(String name) {
    List<String> given = values.get(name);
    if (given == null || given.isEmpty()) {
      return null;
    }
    if (given.size() > 1) {
      throw ApiError.badRequest("invalid_parameter", "query parameter '" + name + "' is given more than once");
    }
    String value = given.get(0).strip();
    return value.isEmpty() ? null : value;
  }

  /**
   * The parameter as a whole number in {@code [min, max]}, or {@code fallback} when absent.
   *
   * @throws ApiError 400 {@code invalid_parameter} when it is not such a number
   */
  public int integer(String name, int fallback, int min, int max) {
    String value = text(name);
    if (value == null) {
      return fallback;
    }
    WholeNumberRange range = new WholeNumberRange(min, max);
    Integer parsed = range.parse(value);
    if (parsed == null) {
      throw ApiError.badRequest("invalid_parameter", "query parameter '" + name + "' must be "
          + range.description() + ", but was '" + shorten(value) + "'");
    }
    return parsed;
  }

  /**
   * The parameter {@code sort}: one of {@code keys}, optionally preceded by {@code -} for
   * descending order, or {@code fallback} when absent.
   *
   * @throws ApiError 400 {@code invalid_parameter} for any other value
   */
  public String sort(List<String> keys, String fallback) {
    String sort = text("sort");
    if (sort == null) {
      return fallback;
    }
    if (!keys.contains(sort.startsWith("-") ? sort.substring(1) : sort)) {
      throw ApiError.badRequest("invalid_parameter", "'sort' must be one of " + String.join(", ", keys)
          + ", each optionally preceded by '-' for descending order, but was '" + shorten(sort) + "'");
    }
    return sort;
  }

  /**
   * The {@code ILIKE} pattern of the values that contain {@code text}, with {@code %}, {@code _}
   * and the escape character taken literally: use it as {@code column ILIKE ? ESCAPE '\'}.
   */
  public static String containing(String text) {
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /** The value cut to 60 characters, for error messages. */
  public static String shorten(String value) {
    return value.length() <= 60 ? value : value.substring(0, 60) + "...";
  }
}
