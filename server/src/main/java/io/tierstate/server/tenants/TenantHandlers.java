package io.tierstate.server.tenants;

import io.javalin.http.Context;
import io.tierstate.Tierstate;
import io.tierstate.keys.CacheKeys;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.api.Representations;
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.JsonBodies;
import io.tierstate.server.http.PathParams;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of {@code /api/v1/tenants} and {@code /api/v1/tenants/{tenantId}}.
 *
 * <p>Who may do what: a platform administrator ({@value Principal#PLATFORM_ADMIN}) lists, creates,
 * reads and changes every tenant. Anybody else sees only their own tenant: another one is 404
 * (checked first, whatever the permissions, as in the users API), the list and creation are 403;
 * reading their own needs {@code tenants:read}, renaming it {@code tenants:write}, and its plan and
 * status are not theirs to change (403).
 *
 * <p>Every change commits, then {@link AccessCache#tenantChanged} drops the tenant's standing from
 * its users' access entries on every node, which also announces the change to the tenant's event
 * streams and to platform administrators' as {@code {"entity":"tenant","id":...}}. A suspension then
 * drops everything cached under {@code tenant:{t}:} and ends every session of the tenant's users;
 * their streams end with {@code tenant_suspended}, and they are refused (403 {@code
 * tenant_suspended}) until the tenant is active again.
 *
 * <p>Tenants are read from PostgreSQL, not cached: platform administrators and tenant pages read
 * them rarely, and their user count is live. Thread-safe.
 */
final class TenantHandlers {
  static final String READ = "tenants:read";
  static final String WRITE = "tenants:write";
  private static final Logger log = LoggerFactory.getLogger(TenantHandlers.class);
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final int MAX_NAME = 200;

  private final TenantStore store;
  private final AccessCache access;
  private final Tierstate tierstate;
  private final Representations representations;

  TenantHandlers(TenantStore store, AccessCache access, Tierstate tierstate, Representations representations) {
    this.store = store;
    this.access = access;
    this.tierstate = tierstate;
    this.representations = representations;
  }

  /** The body of POST. */
  record CreateRequest(@Nullable String slug, @Nullable String name, @Nullable String plan) {}

  /** The body of PATCH; absent fields stay as they are. */
  record PatchRequest(@Nullable String name, @Nullable String plan, @Nullable String status) {}

  /** GET /api/v1/tenants: platform administrators only. */
  void list(Context ctx) {
    AuthContext.requirePermission(ctx, Principal.PLATFORM_ADMIN);
    representations.send(ctx, 200, store.list(TenantQuery.from(ctx)));
  }

  /** POST /api/v1/tenants: platform administrators only. */
  void create(Context ctx) {
    Principal me = AuthContext.requirePermission(ctx, Principal.PLATFORM_ADMIN);
    QueryParameters.of(ctx, Set.of());
    CreateRequest body = JsonBodies.read(ctx, CreateRequest.class);
    String slug = required(body.slug(), "slug");
    if (!SLUG.matcher(slug).matches()) {
      throw invalid("'slug' must be 2 to 63 lower-case letters, digits or '-', starting with a letter or digit, "
          + "such as acme-eu");
    }
    String name = name(required(body.name(), "name"));
    String plan = body.plan() == null ? "free" : plan(body.plan());
    TenantView created = store.create(slug, name, plan);
    access.tenantChanged(created.id());
    log.atInfo().addKeyValue("tenantId", created.id()).addKeyValue("slug", slug).addKeyValue("by", me.userId())
        .log("tenant created");
    ctx.header("Location", "/api/v1/tenants/" + created.id());
    representations.send(ctx, 201, created);
  }

  /** GET /api/v1/tenants/{tenantId}. */
  void get(Context ctx) {
    UUID tenantId = PathParams.uuid(ctx, "tenantId");
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin()) {
      AuthContext.requireTenant(ctx, tenantId);
      AuthContext.requirePermission(ctx, READ);
    }
    QueryParameters.of(ctx, Set.of());
    representations.send(ctx, 200, store.find(tenantId).orElseThrow(() -> noTenant(tenantId)));
  }

  /** PATCH /api/v1/tenants/{tenantId}, optionally conditional with If-Match. */
  void patch(Context ctx) {
    UUID tenantId = PathParams.uuid(ctx, "tenantId");
    Principal me = AuthContext.principal(ctx);
    if (!me.platformAdmin()) {
      AuthContext.requireTenant(ctx, tenantId);
    }
    QueryParameters.of(ctx, Set.of());
    PatchRequest body = JsonBodies.read(ctx, PatchRequest.class);
    if (body.name() == null && body.plan() == null && body.status() == null) {
      throw invalid("nothing to change: give at least one of name, plan, status");
    }
    if (!me.platformAdmin()) {
      if (body.plan() != null || body.status() != null) {
        throw ApiError.forbidden("forbidden", "only a platform administrator ('" + Principal.PLATFORM_ADMIN
            + "') may change a tenant's plan or status");
      }
      AuthContext.requirePermission(ctx, WRITE);
    }
    String name = body.name() == null ? null : name(body.name());
    String plan = body.plan() == null ? null : plan(body.plan());
    String status = body.status() == null ? null : status(body.status());
    if ("suspended".equals(status) && tenantId.equals(me.tenantId())) {
      throw ApiError.conflict("cannot_suspend_own_tenant",
          "you cannot suspend your own tenant: it would lock you out with everybody else in it");
    }
    String ifMatch = ctx.header("If-Match");
    TenantStore.Changed changed = store.update(tenantId, new TenantStore.Change(name, plan, status), current -> {
      if (ifMatch != null && !Representations.matches(ifMatch, representations.etagOf(current))) {
        throw new ApiError(412, "precondition_failed",
            "the tenant changed since you read it (If-Match does not match its ETag); read it again and retry");
      }
    }).orElseThrow(() -> noTenant(tenantId));
    TenantView after = changed.after();
    access.tenantChanged(tenantId);
    if (after.status().equals("suspended") && !changed.before().status().equals("suspended")) {
      suspended(tenantId);
    }
    log.atInfo().addKeyValue("tenantId", tenantId).addKeyValue("by", me.userId()).addKeyValue("status", after.status())
        .addKeyValue("plan", after.plan()).addKeyValue("version", after.version()).log("tenant changed");
    representations.send(ctx, 200, after);
  }

  /**
   * After a suspension committed (and the tenant's access entries were dropped): drops everything
   * cached for the tenant and ends every session of its users, on every node.
   */
  private void suspended(UUID tenantId) {
    tierstate.invalidator().invalidatePattern(CacheKeys.tenant(tenantId).pattern());
    int ended = 0;
    try {
      for (UUID userId : store.userIds(tenantId)) {
        ended += tierstate.sessions().deleteUserSessions(tenantId.toString(), userId.toString());
      }
    } catch (RedisUnavailableException e) {
      // Committed, and the access entries say suspended: its users are refused anyway.
      log.atWarn().addKeyValue("tenantId", tenantId).log("could not end the tenant's sessions: Redis is unavailable");
    }
    log.atInfo().addKeyValue("tenantId", tenantId).addKeyValue("sessions", ended).log("tenant suspended");
  }

  private static String name(String value) {
    String name = value.strip();
    if (name.isEmpty() || name.length() > MAX_NAME) {
      throw invalid("'name' must be 1 to " + MAX_NAME + " characters");
    }
    return name;
  }

  private static String plan(String value) {
    if (!TenantQuery.PLANS.contains(value)) {
      throw invalid("'plan' must be one of " + String.join(", ", TenantQuery.PLANS) + ", but was '"
          + QueryParameters.shorten(value) + "'");
    }
    return value;
  }

  private static String status(String value) {
    if (!TenantQuery.STATUSES.contains(value)) {
      throw invalid("'status' must be active or suspended, but was '" + QueryParameters.shorten(value) + "'");
    }
    return value;
  }

  private static String required(@Nullable String value, String field) {
    if (value == null || value.isBlank()) {
      throw invalid("'" + field + "' is required");
    }
    return value.strip();
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_field", message);
  }

  private static ApiError noTenant(UUID tenantId) {
    return ApiError.notFound("no tenant " + tenantId);
  }
}
