package io.tierstate.server.ops;

import io.javalin.http.Context;
import io.tierstate.Tierstate;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.metrics.HealthReport;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MetricsSnapshot;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.JsonBodies;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.cache.KeyInspection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The handlers of the operations endpoints. Thread-safe. */
final class OpsHandlers {
  private static final String CACHE_ADMIN = "cache:admin";
  private static final int MAX_ITEMS = 100;

  private final Tierstate tierstate;

  OpsHandlers(Tierstate tierstate) {
    this.tierstate = tierstate;
  }

  /** GET /health: every check, the database included. */
  void health(Context ctx) {
    writeHealth(ctx, tierstate.metrics().healthCheck(), List.of());
  }

  /** GET /health/cache: Tierstate's own checks (Redis, breaker, invalidations, L1), not the database. */
  void cacheHealth(Context ctx) {
    writeHealth(ctx, tierstate.metrics().healthCheck(), List.of(OpsFeature.DATABASE_CHECK));
  }

  /** GET /metrics: the Prometheus scrape. */
  void prometheus(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(tierstate.metrics().prometheus());
  }

  /** GET /metrics/cache: the cache's counters as JSON. */
  void cacheMetrics(Context ctx) {
    ctx.json(tierstate.metrics().snapshot());
  }

  /** GET /admin/cache-dashboard: what an operator looks at first. */
  void dashboard(Context ctx) {
    Principal me = AuthContext.requirePermission(ctx, CACHE_ADMIN);
    MetricsSnapshot snapshot = tierstate.metrics().snapshot();
    HealthReport health = tierstate.metrics().healthCheck();
    Map<String, @Nullable Object> view = new LinkedHashMap<>();
    view.put("node", tierstate.nodeId());
    view.put("hitRates", Map.of("overall", snapshot.hitRate(), "l1", snapshot.l1HitRate(), "l2", snapshot.l2HitRate()));
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("l1Hits", snapshot.l1Hits());
    counts.put("l1Misses", snapshot.l1Misses());
    counts.put("l2Hits", snapshot.l2Hits());
    counts.put("l2Misses", snapshot.l2Misses());
    counts.put("loads", snapshot.loads());
    counts.put("loadFailures", snapshot.loadFailures());
    counts.put("errors", snapshot.errors());
    counts.put("evictions", snapshot.evictions());
    counts.put("staleServed", snapshot.staleServed());
    view.put("counts", counts);
    view.put("l1Size", snapshot.l1Size());
    Map<String, Double> p95 = new LinkedHashMap<>();
    snapshot.latencies().forEach((operation, latency) -> p95.put(operation, latency.p95Millis()));
    view.put("latencyP95Millis", p95);
    Map<String, @Nullable Object> sessions = new LinkedHashMap<>();
    sessions.put("created", snapshot.sessions().created());
    sessions.put("deleted", snapshot.sessions().deleted());
    sessions.put("evicted", snapshot.sessions().evicted());
    sessions.put("validationFailures", snapshot.sessions().validationFailures());
    Long live;
    try {
      live = tierstate.sessions().countTenantSessions(me.tenantId().toString());
    } catch (RedisUnavailableException e) {
      live = null; // unknown while Redis is down
    }
    sessions.put("liveInTenant", live);
    view.put("sessions", sessions);
    Map<String, String> checks = new LinkedHashMap<>();
    health.checks().forEach(check -> checks.put(check.name(), check.status().name()));
    view.put("health", Map.of("status", health.status().name(), "checks", checks));
    ctx.json(view);
  }

  /** The body of POST /admin/cache/invalidate; at least one member. */
  record InvalidateRequest(@Nullable List<String> keys, @Nullable List<String> tags, @Nullable String pattern) {}

  /**
   * POST /admin/cache/invalidate: keys, tags and a pattern on every node; for {@code cache:admin}
   * all inside the caller's tenant ({@code tenant:{t}:...}), for platform administrators any.
   * Answers how many entries it removed from Redis: the keys that existed, the tagged entries and
   * the pattern's matches.
   */
  void invalidate(Context ctx) {
    Principal me = requireCacheAdmin(ctx);
    InvalidateRequest body = JsonBodies.read(ctx, InvalidateRequest.class);
    List<String> keys = body.keys() == null ? List.of() : body.keys();
    List<String> tags = body.tags() == null ? List.of() : body.tags();
    String pattern = body.pattern();
    if (keys.isEmpty() && tags.isEmpty() && pattern == null) {
      throw ApiError.badRequest("invalid_request", "give at least one of 'keys', 'tags' or 'pattern'");
    }
    if (keys.size() > MAX_ITEMS || tags.size() > MAX_ITEMS) {
      throw ApiError.badRequest("invalid_request", "at most " + MAX_ITEMS + " keys and " + MAX_ITEMS + " tags per request");
    }
    String scope = scopeOf(me);
    List<String> checkedKeys = new ArrayList<>();
    for (String key : keys) {
      checkedKeys.add(inScope(scope, "key", validated("invalid_key", () -> CacheKeys.requireValidKey(key))));
    }
    List<String> checkedTags = new ArrayList<>();
    for (String tag : tags) {
      checkedTags.add(inScope(scope, "tag", validated("invalid_tag", () -> CacheKeys.requireValidTag(tag))));
    }
    String checkedPattern = pattern == null ? null
        : inScope(scope, "pattern", validated("invalid_pattern", () -> CacheKeys.requireValidPattern(pattern)));

    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    @Nullable Long removed = 0L;
    if (!checkedKeys.isEmpty()) {
      // Invalidating a key does not count what it deleted: count the keys Redis holds first (an
      // operator's tool; a write in between may make the count one off).
      @Nullable Long existing = existingInRedis(checkedKeys);
      tierstate.invalidator().invalidateKeys(checkedKeys.toArray(String[]::new));
      result.put("keys", checkedKeys.size());
      result.put("keyEntries", existing);
      removed = existing;
    }
    if (!checkedTags.isEmpty()) {
      long tagged = tierstate.invalidator().invalidateTags(checkedTags.toArray(String[]::new));
      result.put("taggedEntries", tagged);
      removed = removed == null ? null : removed + tagged;
    }
    if (checkedPattern != null) {
      long matched = tierstate.invalidator().invalidatePattern(checkedPattern);
      result.put("patternEntries", matched);
      removed = removed == null ? null : removed + matched;
    }
    Map<String, @Nullable Object> answer = new LinkedHashMap<>();
    answer.put("invalidated", result);
    answer.put("removed", removed);
    ctx.json(answer);
  }

  /** How many of the keys Redis holds now, or null while it cannot be reached. */
  private @Nullable Long existingInRedis(List<String> keys) {
    try {
      long count = 0;
      for (String key : keys) {
        if (tierstate.cache().inspect(key).inL2()) {
          count++;
        }
      }
      return count;
    } catch (RedisUnavailableException e) {
      return null; // the invalidation itself still goes ahead, held back until Redis returns
    }
  }

  /**
   * GET /admin/cache/inspect?key=: what this node's L1 and Redis hold for one key (in L1 or not,
   * in Redis with its remaining TTL, size, compression, write fence, tags from L1). For {@code
   * cache:admin} the key must be the caller's tenant's; platform administrators may inspect any.
   * {@code region} is the entry's cache region, or null (see {@link KeyInspection#region()}: an
   * entry only in Redis shows it when this node has used that region).
   */
  void inspect(Context ctx) {
    Principal me = requireCacheAdmin(ctx);
    String key = QueryParameters.of(ctx, Set.of("key")).text("key");
    if (key == null || key.isEmpty()) {
      throw ApiError.badRequest("missing_parameter", "give the key to inspect: ?key=tenant:<id>:...");
    }
    String checked = inScope(scopeOf(me), "key", validated("invalid_key", () -> CacheKeys.requireValidKey(key)));
    KeyInspection found = tierstate.cache().inspect(checked);
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    body.put("key", found.key());
    body.put("node", tierstate.nodeId());
    body.put("cached", found.cached());
    body.put("inL1", found.inL1());
    body.put("inL2", found.inL2());
    body.put("ttlMillis", found.l2Ttl().isPresent() ? found.l2Ttl().get().toMillis() : null);
    body.put("sizeBytes", found.sizeBytes());
    body.put("compressed", found.compressed());
    body.put("absent", found.absent());
    body.put("corrupt", found.corrupt());
    body.put("writtenAt", found.writtenAt().isPresent() ? found.writtenAt().get().toString() : null);
    body.put("freshUntil", found.freshUntil().isPresent() ? found.freshUntil().get().toString() : null);
    body.put("fence", found.fence());
    body.put("tags", found.tags());
    body.put("region", found.region().orElse(null));
    ctx.header("Cache-Control", "no-store").json(body);
  }

  /** cache:admin, or a platform administrator. */
  private static Principal requireCacheAdmin(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin() && !me.has(CACHE_ADMIN)) {
      throw ApiError.forbidden("forbidden", "this needs the permission '" + CACHE_ADMIN + "'");
    }
    return me;
  }

  /** The prefix every key, tag and pattern must start with: none for a platform administrator. */
  private static String scopeOf(Principal me) {
    return me.platformAdmin() ? "" : "tenant:" + me.tenantId() + ":";
  }

  private static String inScope(String scope, String what, String value) {
    // The scope is a literal prefix, so a pattern that starts with it cannot reach another tenant.
    if (!value.startsWith(scope)) {
      throw ApiError.forbidden("tenant_scope", "every " + what + " must start with '" + scope
          + "': you may only reach your own tenant's entries");
    }
    return value;
  }

  private static String validated(String code, java.util.function.Supplier<String> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(code, String.valueOf(e.getMessage()));
    }
  }

  private static void writeHealth(Context ctx, HealthReport report, List<String> excluded) {
    HealthStatus status = HealthStatus.HEALTHY;
    List<Map<String, Object>> checks = new ArrayList<>();
    for (HealthCheck check : report.checks()) {
      if (excluded.contains(check.name())) {
        continue;
      }
      status = status.worst(check.status());
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", check.name());
      item.put("status", check.status().name());
      item.put("message", check.message());
      item.put("durationMillis", check.duration().toNanos() / 1e6);
      item.put("details", check.details());
      checks.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status.name());
    body.put("checkedAt", report.checkedAt());
    body.put("durationMillis", report.duration().toNanos() / 1e6);
    body.put("checks", checks);
    ctx.status(status == HealthStatus.UNHEALTHY ? 503 : 200).header("Cache-Control", "no-store").json(body);
  }
}
