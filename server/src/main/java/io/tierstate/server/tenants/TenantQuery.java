package io.tierstate.server.tenants;

import io.javalin.http.Context;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The filters, order and page of a tenant list, checked: {@code q} (part of the slug or name,
 * case-insensitive), {@code plan}, {@code status}, {@code sort} (one of {@link #SORT_KEYS}, {@code
 * -} for descending), {@code page} (from 1) and {@code size} (1 to {@value #MAX_SIZE}). Builds its
 * SQL from a whitelist; values are always bound as parameters. Immutable.
 */
record TenantQuery(@Nullable String q, @Nullable String plan, @Nullable String status, String sort, int page,
    int size) {

  static final int DEFAULT_SIZE = 20;
  static final int MAX_SIZE = 100;
  static final int MAX_PAGE = 10_000;
  static final int MAX_Q = 200;
  static final Set<String> PARAMETERS = Set.of("q", "plan", "status", "sort", "page", "size");
  static final List<String> SORT_KEYS = List.of("createdAt", "name", "slug", "plan", "status");
  private static final Map<String, String> COLUMNS = Map.of(
      "createdAt", "t.created_at", "name", "t.name", "slug", "t.slug", "plan", "t.plan", "status", "t.status");
  static final List<String> PLANS = List.of("free", "pro", "enterprise");
  static final List<String> STATUSES = List.of("active", "suspended");

  /**
   * Reads and checks the request's query parameters.
   *
   * @throws ApiError 400 {@code unknown_parameter} or {@code invalid_parameter}
   */
  static TenantQuery from(Context ctx) {
    QueryParameters params = QueryParameters.of(ctx, PARAMETERS);
    String q = params.text("q");
    if (q != null && q.length() > MAX_Q) {
      throw invalid("'q' must be at most " + MAX_Q + " characters");
    }
    String plan = params.text("plan");
    if (plan != null && !PLANS.contains(plan)) {
      throw invalid("'plan' must be one of " + String.join(", ", PLANS) + ", but was '"
          + QueryParameters.shorten(plan) + "'");
    }
    String status = params.text("status");
    if (status != null && !STATUSES.contains(status)) {
      throw invalid("'status' must be active or suspended, but was '" + QueryParameters.shorten(status) + "'");
    }
    String sort = params.sort(SORT_KEYS, "createdAt");
    int page = params.integer("page", 1, 1, MAX_PAGE);
    int size = params.integer("size", DEFAULT_SIZE, 1, MAX_SIZE);
    return new TenantQuery(q, plan, status, sort, page, size);
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_parameter", message);
  }

  /** {@code WHERE ...} over {@code tenants t} (empty without filters), with its parameters appended to {@code params}. */
  String where(List<@Nullable Object> params) {
    List<String> conditions = new ArrayList<>();
    if (q != null) {
      String like = QueryParameters.containing(q);
      conditions.add("(t.slug ILIKE ? ESCAPE '\\' OR t.name ILIKE ? ESCAPE '\\')");
      params.add(like);
      params.add(like);
    }
    if (plan != null) {
      conditions.add("t.plan = ?");
      params.add(plan);
    }
    if (status != null) {
      conditions.add("t.status = ?");
      params.add(status);
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** {@code ORDER BY ...} from the whitelist; the id breaks ties, so pages never overlap. */
  String orderBy() {
    boolean descending = sort.startsWith("-");
    String column = COLUMNS.get(descending ? sort.substring(1) : sort);
    String direction = descending ? " DESC" : " ASC";
    return " ORDER BY " + column + direction + ", t.id" + direction;
  }

  long offset() {
    return (long) (page - 1) * size;
  }
}
