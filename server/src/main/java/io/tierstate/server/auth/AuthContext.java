package io.tierstate.server.auth;

import io.javalin.http.Context;
import io.tierstate.server.http.ApiError;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The caller of the current request, for handlers. The auth filter has already refused requests
 * to non-public {@code /api/} and {@code /admin/} routes without a valid token and live session,
 * so in such a handler {@link #principal} always succeeds.
 *
 * <pre>{@code
 * Principal me = AuthContext.requirePermission(ctx, "users:read");
 * AuthContext.requireTenant(ctx, tenantIdFromPath);   // 404 for another tenant's data
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class AuthContext {
  private static final String ATTRIBUTE = "tierstate.principal";

  private AuthContext() {}

  /**
   * The signed-in caller.
   *
   * @throws ApiError 401 {@code not_authenticated} if the request is not authenticated
   */
  public static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(ATTRIBUTE);
    if (principal == null) {
      throw ApiError.unauthorized("not_authenticated", "sign in first: POST /api/v1/auth/login");
    }
    return principal;
  }

  /** The signed-in caller, if the request is authenticated. */
  public static Optional<Principal> optionalPrincipal(Context ctx) {
    Principal principal = ctx.attribute(ATTRIBUTE);
    return Optional.ofNullable(principal);
  }

  /**
   * The signed-in caller, who must hold {@code permission}.
   *
   * @throws ApiError 401 if not authenticated, 403 {@code forbidden} without the permission
   */
  public static Principal requirePermission(Context ctx, String permission) {
    Principal principal = principal(ctx);
    if (!principal.has(permission)) {
      throw ApiError.forbidden("forbidden", "this needs the permission '" + permission + "'");
    }
    return principal;
  }

  /**
   * The signed-in caller, who must belong to {@code tenantId}. Another tenant's data is answered
   * with 404, so that its existence is not revealed.
   *
   * @throws ApiError 401 if not authenticated, 404 {@code not_found} for another tenant
   */
  public static Principal requireTenant(Context ctx, UUID tenantId) {
    Principal principal = principal(ctx);
    if (!principal.tenantId().equals(tenantId)) {
      throw ApiError.notFound("no tenant " + tenantId);
    }
    return principal;
  }

  static void set(Context ctx, @Nullable Principal principal) {
    ctx.attribute(ATTRIBUTE, principal);
  }
}
