package io.tierstate.server.roles;

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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/v1/tenants/{tenantId}/roles}: a member of the tenant with {@code roles:read}
 * (another tenant is 404, as in the users API), or a platform administrator for any tenant.
 *
 * <p>A role that grants {@value Principal#PLATFORM_ADMIN} ({@code platform_admin}) is listed only
 * to platform administrators: nobody else may grant it, so a console should not offer it.
 *
 * <p>Cached per tenant at {@code tenant:{t}:role:list:{hash}} for 10 minutes, tagged {@code
 * tenant:{t}:roles}; roles change only with a migration, so no API change invalidates them.
 * Thread-safe.
 */
final class RoleHandlers {
  static final String READ = "roles:read";
  static final Duration TTL = Duration.ofMinutes(10);
  private static final Duration ABSENT_TTL = Duration.ofSeconds(30);

  private final Tierstate tierstate;
  private final RoleStore store;
  private final Representations representations;
  private final boolean caching;

  RoleHandlers(Tierstate tierstate, RoleStore store, Representations representations, DataCaching caching) {
    this.tierstate = tierstate;
    this.store = store;
    this.representations = representations;
    this.caching = caching.enabled();
  }

  /** GET /api/v1/tenants/{tenantId}/roles. */
  void list(Context ctx) {
    UUID tenantId = PathParams.uuid(ctx, "tenantId");
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin()) {
      AuthContext.requireTenant(ctx, tenantId);
      AuthContext.requirePermission(ctx, READ);
    }
    QueryParameters.of(ctx, Set.of());
    RoleList roles = read(tenantId);
    if (roles == null) {
      throw ApiError.notFound("no tenant " + tenantId);
    }
    if (!me.platformAdmin()) {
      roles = new RoleList(roles.items().stream()
          .filter(role -> !role.permissions().contains(Principal.PLATFORM_ADMIN)).toList());
    }
    representations.send(ctx, 200, roles);
  }

  private @Nullable RoleList read(UUID tenantId) {
    if (!caching) {
      return store.list(tenantId).orElse(null);
    }
    try {
      return tierstate.cache().getOrLoad(CacheKeys.tenant(tenantId).list("role", Map.of()), RoleList.class,
          () -> store.list(tenantId).orElse(null),
          CacheOptions.ttl(TTL).region(CacheRegions.ROLES).tags("tenant:" + tenantId + ":roles").cacheAbsent(ABSENT_TTL));
    } catch (CacheLoadException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause; // PostgreSQL unreachable: 503, as with caching off
      }
      throw e;
    }
  }
}
