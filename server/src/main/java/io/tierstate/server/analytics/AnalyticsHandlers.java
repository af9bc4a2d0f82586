package io.tierstate.server.analytics;

import io.tierstate.server.api.CacheRegions;
import io.javalin.http.Context;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.api.Representations;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.PathParams;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/v1/tenants/{tenantId}/analytics?range=7d|30d|90d}: a member of the tenant with
 * {@code users:read} (another tenant is 404, as in the users API), or a platform administrator.
 *
 * <p>Cached at {@code tenant:{t}:analytics:dashboard:{range}} for an hour, tagged {@code
 * tenant:{t}:users}: every user change (creation, profile, status, roles, deletion) already drops
 * that tag, so the user counts are never stale after a change. Sign-ins do not invalidate it (they
 * would on every sign-in); today's count may lag by up to the TTL, which the response says through
 * {@code computedAt}. Thread-safe.
 */
final class AnalyticsHandlers {
  static final String READ = "users:read";
  static final Duration TTL = Duration.ofHours(1);

  private final Tierstate tierstate;
  private final AnalyticsStore store;
  private final Representations representations;
  private final boolean caching;

  AnalyticsHandlers(Tierstate tierstate, AnalyticsStore store, Representations representations,
      DataCaching caching) {
    this.tierstate = tierstate;
    this.store = store;
    this.representations = representations;
    this.caching = caching.enabled();
  }

  /** The cache key of a tenant's analytics over a range. */
  static String key(UUID tenantId, AnalyticsRange range) {
    return CacheKeys.requireValidKey(CacheKeys.tenant(tenantId).prefix() + "analytics:dashboard:" + range.text());
  }

  /** The tag every user change of the tenant invalidates (see the users feature). */
  static String usersTag(UUID tenantId) {
    return "tenant:" + tenantId + ":users";
  }

  /** GET /api/v1/tenants/{tenantId}/analytics. */
  void get(Context ctx) {
    UUID tenantId = PathParams.uuid(ctx, "tenantId");
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin()) {
      AuthContext.requireTenant(ctx, tenantId);
      AuthContext.requirePermission(ctx, READ);
    }
    AnalyticsRange range = AnalyticsRange.of(QueryParameters.of(ctx, Set.of("range")));
    TenantAnalytics analytics = read(tenantId, range);
    if (analytics == null) {
      throw ApiError.notFound("no tenant " + tenantId);
    }
    representations.send(ctx, 200, analytics);
  }

  private @Nullable TenantAnalytics read(UUID tenantId, AnalyticsRange range) {
    if (!caching) {
      return store.compute(tenantId, range).orElse(null);
    }
    try {
      return tierstate.cache().getOrLoad(key(tenantId, range), TenantAnalytics.class,
          () -> store.compute(tenantId, range).orElse(null),
          CacheOptions.ttl(TTL).region(CacheRegions.ANALYTICS).tags(usersTag(tenantId)));
    } catch (CacheLoadException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause; // PostgreSQL unreachable: 503, as with caching off
      }
      throw e;
    }
  }
}
