package io.tierstate.server.auth;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.ServerContext;
import io.tierstate.server.http.Access;
import io.tierstate.server.http.ServerTiming;

/**
 * Registers the auth filter (before every matched route) and {@code /api/v1/auth/*}: login,
 * refresh, logout, logout-all, session, and the caller's own sessions (list, end one). Register it
 * before any feature with protected routes.
 */
public final class AuthFeature implements Feature {
  private final PasswordHasher hasher;

  /** Creates the feature; the hasher is shared with whoever else hashes passwords (demo data). */
  public AuthFeature(PasswordHasher hasher) {
    this.hasher = hasher;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    ServerConfig.Auth config = context.config().auth();
    AccessTokens tokens = new AccessTokens(config);
    AccessCache access = new AccessCache(context.tierstate(), context.database());
    UserAccounts accounts = new UserAccounts(context.database());
    AuthHandlers handlers = new AuthHandlers(config, context.tierstate().sessions(), context.tierstate().locks(), accounts, access, tokens,
        hasher, new LoginLimits(context.tierstate().rateLimiter(), config),
        new AuthCookies(context.config().http().cookieSecure()), context.clientAddress(), context.meters());

    if (context.config().auditRate() > 0) {
      AccessCache.audit(context.tierstate(), accounts);
    }
    app.beforeMatched(ServerTiming.phase("auth", new Authenticator(tokens, context.tierstate().sessions(), access)));
    app.post("/api/v1/auth/login", handlers::login, Access.PUBLIC);
    app.post("/api/v1/auth/refresh", handlers::refresh, Access.PUBLIC);
    app.post("/api/v1/auth/logout", handlers::logout, Access.PUBLIC);
    app.post("/api/v1/auth/logout-all", handlers::logoutAll);
    app.get("/api/v1/auth/session", handlers::session);
    app.get("/api/v1/auth/sessions", handlers::sessions);
    app.delete("/api/v1/auth/sessions/{sessionId}", handlers::endSession);
  }
}
