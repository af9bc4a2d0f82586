package io.tierstate.server.auth;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.db.DatabaseException;
import io.tierstate.server.http.Access;
import io.tierstate.server.http.ApiError;
import io.tierstate.session.Session;
import io.tierstate.session.SessionManager;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auth filter, run before every matched route: on non-public {@code /api/} and {@code /admin/}
 * routes it requires a valid access token AND a live session in Redis (so a logout takes effect at
 * once, on every node), then loads the user's current access and stores the {@link Principal}. On
 * public routes it does the same when an access cookie comes along, without refusing anything, so
 * {@link AuthContext#optionalPrincipal} tells signed-in callers from anonymous ones.
 *
 * <p>A valid token whose session is gone is 401 {@code session_ended}, or 403 {@code
 * tenant_suspended} when its user's tenant is suspended (a suspension ends the sessions; the user
 * should learn why).
 *
 * <p><b>Redis unavailable.</b> The session cannot be checked. Safe requests (GET, HEAD) are then
 * served on the token's signature alone, with the user's access from the cache or PostgreSQL, and
 * the principal is marked {@linkplain Principal#degraded() degraded}; unsafe requests get 503
 * {@code session_store_unavailable}. The cost: for the outage, a token of an ended session keeps
 * working for reads until it expires (at most the access-token lifetime).
 */
final class Authenticator implements Handler {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final AccessTokens tokens;
  private final SessionManager sessions;
  private final AccessCache access;

  Authenticator(AccessTokens tokens, SessionManager sessions, AccessCache access) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.access = access;
  }

  @Override
  public void handle(Context ctx) {
    // CORS preflights carry no credentials by design.
    if (ctx.method().name().equals("OPTIONS") || !isProtectedPath(ctx.path())) {
      return;
    }
    if (!ctx.routeRoles().contains(Access.PUBLIC)) {
      AuthContext.set(ctx, authenticate(ctx));
      return;
    }
    // A public route serves anyone; a signed-in caller is still recognized when possible.
    String token = ctx.cookie(AccessTokens.COOKIE);
    if (token != null && !token.isEmpty()) {
      try {
        AuthContext.set(ctx, authenticate(ctx));
      } catch (ApiError | DatabaseException | RedisUnavailableException e) {
        // Anonymous, then: the route decides what an anonymous caller gets.
      }
    }
  }

  static boolean isProtectedPath(String path) {
    return path.startsWith("/api/") || path.startsWith("/admin/") || path.equals("/admin");
  }

  private Principal authenticate(Context ctx) {
    String token = ctx.cookie(AccessTokens.COOKIE);
    if (token == null || token.isEmpty()) {
      throw ApiError.unauthorized("not_authenticated", "sign in first: POST /api/v1/auth/login");
    }
    AccessTokens.Claims claims = switch (tokens.verify(ctx, token)) {
      case AccessTokens.Valid valid -> valid.claims();
      case AccessTokens.Expired expired -> throw ApiError.unauthorized("token_expired",
          "the access token expired; get a new one with POST /api/v1/auth/refresh");
      case AccessTokens.Invalid invalid -> throw ApiError.unauthorized("invalid_token",
          "the access token is not valid; sign in again");
    };
    UUID userId = uuid(claims.userId());
    UUID tenantId = uuid(claims.tenantId());
    Session session = liveSession(ctx, claims);
    if (session != null && (!session.userId().equals(claims.userId())
        || !session.tenantId().equals(claims.tenantId()))) {
      throw ApiError.unauthorized("session_ended", "the session has ended; sign in again");
    }
    UserAccess current = access.get(tenantId, userId);
    if (current == null) {
      throw ApiError.unauthorized("session_ended", "the account no longer exists; sign in again");
    }
    if (current.tenantSuspended()) {
      throw AuthHandlers.tenantSuspended();
    }
    if (!current.active()) {
      throw ApiError.forbidden("account_suspended", "this account is suspended; contact your administrator");
    }
    return new Principal(userId, tenantId, new HashSet<>(current.roles()), new HashSet<>(current.permissions()),
        claims.sessionId(), session);
  }

  /** The live session, or null in degraded mode (Redis unavailable, safe method). */
  private @Nullable Session liveSession(Context ctx, AccessTokens.Claims claims) {
    try {
      return sessions.get(claims.sessionId()).orElseThrow(() -> AuthHandlers.sessionGone(access, claims));
    } catch (IllegalArgumentException e) {
      throw ApiError.unauthorized("invalid_token", "the access token is not valid; sign in again");
    } catch (RedisUnavailableException e) {
      if (!SAFE.contains(ctx.method().name())) {
        throw ApiError.unavailable("session_store_unavailable",
            "sessions cannot be checked right now, so changes are refused; try again in a moment");
      }
      log.atWarn().addKeyValue("userId", claims.userId())
          .log("redis unavailable: request authenticated by its access token alone");
      return null;
    }
  }

  private static UUID uuid(String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw ApiError.unauthorized("invalid_token", "the access token is not valid; sign in again");
    }
  }
}
