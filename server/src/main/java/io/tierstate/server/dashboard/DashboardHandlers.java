package io.tierstate.server.dashboard;

import io.javalin.http.Context;
import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheRegion;
import io.tierstate.cache.HotKey;
import io.tierstate.cache.TieredCache;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.api.CacheRegions;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.nodes.ClusterNode;
import java.time.Instant;
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

  /**
   * {@code GET /api/v1/dashboard/regions}: this node's cache regions, one row each: requests, L1
   * and L2 hit rates, loads, mean and p99 load time, entries in this node's L1. The server's own
   * regions are listed from the start (zeros until used), then any other region this node used.
   * The same for both scopes: a region spans tenants, and its counts are this node's.
   */
  void regions(Context ctx) {
    requireViewer(ctx);
    QueryParameters.of(ctx, Set.of()); // no parameters: an unknown one is a 400, not ignored
    Map<String, CacheRegion> used = new LinkedHashMap<>();
    for (CacheRegion region : tierstate.cache().regions()) {
      used.put(region.name(), region);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String name : CacheRegions.ALL) {
      rows.add(row(used.getOrDefault(name, new CacheRegion(name, 0, 0, 0, 0, 0, 0, 0))));
    }
    used.forEach((name, region) -> {
      if (!CacheRegions.ALL.contains(name)) {
        rows.add(row(region));
      }
    });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", tierstate.nodeId());
    body.put("regions", rows);
    ctx.header("Cache-Control", "no-store").json(body);
  }

  /**
   * {@code GET /api/v1/dashboard/hotkeys}: the hot keys of every live node, each node's top {@value
   * TieredCache#MAX_HOT_KEYS} by estimated reads per second, and the merged list (rates added per
   * key). The answering node's list is its sketch now; the others' are what their last heartbeat
   * carried. A tenant's {@code cache:admin} sees only keys that start with {@code
   * tenant:<its tenant>:} (each node reports its top 20 over every tenant, so a tenant whose keys
   * are cooler than others' may see few or none); platform administrators every key. While Redis
   * cannot be reached only the answering node is listed ({@code nodesListed: false}).
   */
  void hotKeys(Context ctx) {
    Principal me = requireViewer(ctx);
    QueryParameters.of(ctx, Set.of()); // no parameters: an unknown one is a 400, not ignored
    String scope = me.platformAdmin() ? "" : CacheKeys.tenant(me.tenantId()).prefix();
    String self = tierstate.nodeId();
    List<Map<String, Object>> nodes = new ArrayList<>();
    List<List<HotKey>> lists = new ArrayList<>();
    List<HotKey> mine = inScope(tierstate.cache().hotKeys(), scope);
    nodes.add(hotNode(self, true, Instant.now(), mine));
    lists.add(mine);
    boolean listed = true;
    try {
      for (ClusterNode node : tierstate.nodes().list()) {
        if (node.status() == ClusterNode.Status.LIVE && !node.id().equals(self)) {
          List<HotKey> theirs = inScope(node.hotKeys(), scope);
          nodes.add(hotNode(node.id(), false, node.lastHeartbeat(), theirs));
          lists.add(theirs);
        }
      }
    } catch (RedisUnavailableException e) {
      listed = false; // this node's own list needs no Redis
    }
    Map<String, Integer> listedBy = new LinkedHashMap<>();
    for (List<HotKey> list : lists) {
      for (HotKey hot : list) {
        listedBy.merge(hot.key(), 1, Integer::sum);
      }
    }
    List<Map<String, Object>> merged = new ArrayList<>();
    for (HotKey hot : HotKey.merge(lists, TieredCache.MAX_HOT_KEYS)) {
      Map<String, Object> row = hotRow(hot);
      row.put("nodes", listedBy.getOrDefault(hot.key(), 0));
      merged.add(row);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", self);
    body.put("scope", me.platformAdmin() ? "service" : "tenant");
    body.put("sampling", tierstate.config().hotKeySampling());
    body.put("halfLifeSeconds", TieredCache.HOT_KEY_HALF_LIFE.toMillis() / 1000.0);
    body.put("nodesListed", listed);
    body.put("merged", merged);
    body.put("nodes", nodes);
    ctx.header("Cache-Control", "no-store").json(body);
  }

  /** The keys of {@code hot} that start with {@code scope} (every key for the empty scope). */
  private static List<HotKey> inScope(List<HotKey> hot, String scope) {
    return scope.isEmpty() ? hot : hot.stream().filter(h -> h.key().startsWith(scope)).toList();
  }

  private static Map<String, Object> hotNode(String id, boolean self, Instant asOf, List<HotKey> hot) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("id", id);
    node.put("self", self);
    node.put("asOf", asOf.toString());
    node.put("hotKeys", hot.stream().map(DashboardHandlers::hotRow).toList());
    return node;
  }

  private static Map<String, Object> hotRow(HotKey hot) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("key", hot.key());
    // a tenth of a read per second is finer than the estimate is good for
    row.put("readsPerSecond", Math.round(hot.readsPerSecond() * 10) / 10.0);
    return row;
  }

  private static Map<String, Object> row(CacheRegion region) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("name", region.name());
    row.put("requests", region.requests());
    row.put("l1Hits", region.l1Hits());
    row.put("l2Hits", region.l2Hits());
    row.put("l1HitRate", region.l1HitRate());
    row.put("l2HitRate", region.l2HitRate());
    row.put("loads", region.loads());
    row.put("loadMeanMillis", region.loadMeanMillis());
    row.put("loadP99Millis", region.loadP99Millis());
    row.put("l1Entries", region.l1Entries());
    return row;
  }

  /**
   * {@code POST /api/v1/dashboard/regions/{name}/clear}: removes every entry of the region from
   * Redis and from every node's L1 (the invalidation of its tag, logged for every node), and
   * answers how many entries Redis held. Platform administrators only: a region holds every
   * tenant's entries, so a tenant's {@code cache:admin} may not clear it (403). A malformed name
   * is a 400, a region this node does not know a 404. While Redis cannot be reached the clear is
   * held back and sent when it returns, like every invalidation (this node's L1 is cleared at once,
   * and the answer says 0 removed).
   */
  void clearRegion(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin()) {
      throw ApiError.forbidden("forbidden",
          "clearing a cache region needs a platform administrator: a region holds every tenant's entries");
    }
    String name = ctx.pathParam("name");
    try {
      CacheKeys.requireValidRegion(name);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_region", String.valueOf(e.getMessage()));
    }
    boolean known = CacheRegions.ALL.contains(name)
        || tierstate.cache().regions().stream().anyMatch(region -> region.name().equals(name));
    if (!known) {
      throw ApiError.notFound("no cache region '" + name + "' on this node; known: "
          + String.join(", ", CacheRegions.ALL));
    }
    long removed = tierstate.invalidator().invalidateRegion(name);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("region", name);
    body.put("removed", removed);
    ctx.json(body);
  }

  private static Principal requireViewer(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin() && !me.has(CACHE_ADMIN)) {
      throw ApiError.forbidden("forbidden", "the dashboard needs the permission '" + CACHE_ADMIN + "'");
    }
    return me;
  }
}
