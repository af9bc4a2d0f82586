package io.tierstate.server.dashboard;

import io.javalin.http.Context;
import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/v1/dashboard?since=<seq>}: the samples newer than {@code since}, the health
 * report with each named check, the alerts that fired, and the active sessions. For {@code
 * cache:admin} (scope {@code tenant}: active sessions of the caller's tenant; the cache meters are
 * this node's, since they carry no tenant) and platform administrators (scope {@code service}).
 * Thread-safe.
 */
final class DashboardHandlers {
  static final String CACHE_ADMIN = "cache:admin";

  private final Tierstate tierstate;
  private final DashboardSampler sampler;

  DashboardHandlers(Tierstate tierstate, DashboardSampler sampler) {
    this.tierstate = tierstate;
    this.sampler = sampler;
  }

  void get(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin() && !me.has(CACHE_ADMIN)) {
      throw ApiError.forbidden("forbidden", "the dashboard needs the permission '" + CACHE_ADMIN + "'");
    }
    long since = QueryParameters.of(ctx, Set.of("since")).integer("since", 0, 0, Integer.MAX_VALUE);
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    body.put("node", tierstate.nodeId());
    body.put("scope", me.platformAdmin() ? "service" : "tenant");
    body.put("intervalMillis", DashboardSampler.INTERVAL.toMillis());
    body.put("health", sampler.health());
    body.put("alerts", sampler.alerts());
    Long active;
    try {
      active = tierstate.sessions().countTenantSessions(me.tenantId().toString());
    } catch (RedisUnavailableException e) {
      active = null; // unknown while Redis is down
    }
    body.put("activeSessions", active);
    body.put("samples", sampler.since(since));
    ctx.header("Cache-Control", "no-store").json(body);
  }
}
