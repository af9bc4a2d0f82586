package io.tierstate.server.users;

import io.javalin.http.Context;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.http.ApiError;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The filters, order and page of a user list, checked: {@code q} (part of the e-mail address or
 * display name, case-insensitive), {@code role}, {@code status}, {@code createdFrom} and {@code
 * createdTo} (ISO dates, inclusive, UTC), {@code sort} (one of {@link #SORTS}, {@code -} for
 * descending), {@code page} (from 1) and {@code size} (1 to {@value #MAX_SIZE}). Builds its SQL from
 * a whitelist; values are always bound as parameters. Immutable.
 */
record UserQuery(@Nullable String q, @Nullable String role, @Nullable String status, @Nullable LocalDate createdFrom,
    @Nullable LocalDate createdTo, String sort, int page, int size) {

  static final int DEFAULT_SIZE = 20;
  static final int MAX_SIZE = 100;
  static final int MAX_PAGE = 10_000;
  static final int MAX_Q = 200;
  static final Set<String> PARAMETERS =
      Set.of("q", "role", "status", "createdFrom", "createdTo", "sort", "page", "size");
  /** The sort keys and their columns; the id breaks ties so that pages never overlap. */
  static final Map<String, String> SORTS = Map.of(
      "createdAt", "u.created_at", "email", "u.email", "displayName", "u.display_name", "status", "u.status");
  static final List<String> SORT_KEYS = List.of("createdAt", "email", "displayName", "status");
  static final Set<String> STATUSES = Set.of("active", "suspended");
  static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /**
   * Reads and checks the request's query parameters.
   *
   * @throws ApiError 400 {@code unknown_parameter} or {@code invalid_parameter}
   */
  static UserQuery from(Context ctx) {
    QueryParameters params = QueryParameters.of(ctx, PARAMETERS);
    String q = params.text("q");
    if (q != null && q.length() > MAX_Q) {
      throw invalid("'q' must be at most " + MAX_Q + " characters");
    }
    String role = params.text("role");
    if (role != null && !ROLE.matcher(role).matches()) {
      throw invalid("'role' must be a role name such as member or tenant_admin, but was '"
          + QueryParameters.shorten(role) + "'");
    }
    String status = params.text("status");
    if (status != null && !STATUSES.contains(status)) {
      throw invalid("'status' must be active or suspended, but was '" + QueryParameters.shorten(status) + "'");
    }
    LocalDate from = date(params, "createdFrom");
    LocalDate to = date(params, "createdTo");
    if (from != null && to != null && from.isAfter(to)) {
      throw invalid("'createdFrom' (" + from + ") is after 'createdTo' (" + to + ")");
    }
    String sort = params.sort(SORT_KEYS, "createdAt");
    int page = params.integer("page", 1, 1, MAX_PAGE);
    int size = params.integer("size", DEFAULT_SIZE, 1, MAX_SIZE);
    return new UserQuery(q, role, status, from, to, sort, page, size);
  }

  private static @Nullable LocalDate date(QueryParameters params, String name) {
    String value = params.text(name);
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw invalid("'" + name + "' must be an ISO date such as 2026-01-31, but was '"
          + QueryParameters.shorten(value) + "'");
    }
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_parameter", message);
  }

  /** The canonical filters, for the list's cache key: equal queries give equal maps. */
  Map<String, @Nullable Object> cacheFilters() {
    Map<String, @Nullable Object> filters = new HashMap<>();
    filters.put("q", q);
    filters.put("role", role);
    filters.put("status", status);
    filters.put("createdFrom", createdFrom == null ? null : createdFrom.toString());
    filters.put("createdTo", createdTo == null ? null : createdTo.toString());
    filters.put("sort", sort);
    filters.put("page", page);
    filters.put("size", size);
    return filters;
  }

  /** {@code WHERE ...} over {@code users u}, with its parameters appended to {@code params}. */
  String where(java.util.UUID tenantId, List<@Nullable Object> params) {
    List<String> conditions = new ArrayList<>();
    conditions.add("u.tenant_id = ?");
    params.add(tenantId);
    if (q != null) {
      String like = QueryParameters.containing(q);
      conditions.add("(u.email ILIKE ? ESCAPE '\\' OR u.display_name ILIKE ? ESCAPE '\\')");
      params.add(like);
      params.add(like);
    }
    if (role != null) {
      conditions.add("""
          EXISTS (SELECT 1 FROM user_roles fr JOIN roles r ON r.id = fr.role_id
                  WHERE fr.user_id = u.id AND r.name = ? AND (r.tenant_id IS NULL OR r.tenant_id = u.tenant_id))""");
      params.add(role);
    }
    if (status != null) {
      conditions.add("u.status = ?");
      params.add(status);
    }
    if (createdFrom != null) {
      conditions.add("u.created_at >= ?");
      params.add(createdFrom.atStartOfDay(ZoneOffset.UTC).toInstant());
    }
    if (createdTo != null) {
      conditions.add("u.created_at < ?");
      params.add(createdTo.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }
    return " WHERE " + String.join(" AND ", conditions);
  }

  /** {@code ORDER BY ...} from the whitelist. */
  String orderBy() {
    boolean descending = sort.startsWith("-");
    String column = SORTS.get(descending ? sort.substring(1) : sort);
    String direction = descending ? " DESC" : " ASC";
    return " ORDER BY " + column + direction + ", u.id" + direction;
  }

  long offset() {
    return (long) (page - 1) * size;
  }
}
