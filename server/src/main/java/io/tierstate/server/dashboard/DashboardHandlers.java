package io.tierstate.server.dashboard;

import io.javalin.http.Context;
import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.nodes.ClusterNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    Principal me = requireViewer(ctx);
    long since = QueryParameters.of(ctx, Set.of("since")).integer("since", 0, 0, Integer.MAX_VALUE);
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    body.put("node", tierstate.nodeId());
    body.put("scope", me.platformAdmin() ? "service" : "tenant");
    body.put("intervalMillis", DashboardSampler.INTERVAL.toMillis());
    body.put("health", sampler.health());
    body.put("alerts", sampler.alerts());
    Long active = null; // unknown while Redis is down
    if (!me.degraded()) { // a degraded principal: Redis just failed this request's session check
      try {
        active = tierstate.sessions().countTenantSessions(me.tenantId().toString());
      } catch (RedisUnavailableException e) {
        // unknown
      }
    }
    body.put("activeSessions", active);
    body.put("samples", sampler.since(since));
    ctx.header("Cache-Control", "no-store").json(body);
  }

  /**
   * {@code GET /api/v1/dashboard/nodes}: every node of the cluster as it last announced itself in
   * Redis, live ones first; a node that stopped stays listed (status {@code STOPPED}) for an hour.
   * The same for both scopes: nodes carry no tenant. 503 while Redis cannot be reached.
   */
  void nodes(Context ctx) {
    requireViewer(ctx);
    QueryParameters.of(ctx, Set.of()); // no parameters: an unknown one is a 400, not ignored
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (ClusterNode node : tierstate.nodes().list()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("id", node.id());
      item.put("host", node.host());
      item.put("version", node.version());
      item.put("status", node.status().name());
      item.put("startedAt", node.startedAt().toString());
      item.put("lastHeartbeat", node.lastHeartbeat().toString());
      item.put("heartbeatIntervalMillis", node.heartbeatInterval().toMillis());
      item.put("uptimeSeconds", node.uptime().toSeconds());
      item.put("l1Size", node.l1Size());
      item.put("invalidationLagMillis", node.invalidationLag().toMillis());
      nodes.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", tierstate.nodeId());
    body.put("nodes", nodes);
    ctx.header("Cache-Control", "no-store").json(body);
  }

  private static Principal requireViewer(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin() && !me.has(CACHE_ADMIN)) {
      throw ApiError.forbidden("forbidden", "the dashboard needs the permission '" + CACHE_ADMIN + "'");
    }
    return me;
  }
}
