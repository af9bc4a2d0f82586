package io.tierstate.server.users;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.Representations;
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.auth.PasswordHasher;

/**
 * Registers the users API: {@code GET/POST /api/v1/tenants/{tenantId}/users}, {@code
 * GET/PATCH/DELETE /api/v1/tenants/{tenantId}/users/{userId}} and {@code GET
 * /api/v1/users/{userId}/permissions}, all for signed-in users. Register after the auth feature.
 */
public final class UsersFeature implements Feature {
  private final PasswordHasher hasher;
  private final DataCaching caching;

  /**
   * Creates the feature.
   *
   * @param hasher hashes the passwords of new users
   * @param caching whether reads are cached ({@code SERVER_CACHE})
   */
  public UsersFeature(PasswordHasher hasher, DataCaching caching) {
    this.hasher = hasher;
    this.caching = caching;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    UserStore store = new UserStore(context.database());
    AccessCache access = new AccessCache(context.tierstate(), context.database());
    UserReads reads = new UserReads(context.tierstate(), store, caching);
    if (caching.enabled() && context.config().auditRate() > 0) {
      reads.audit();
    }
    UserHandlers handlers = new UserHandlers(store, reads, access, context.tierstate().sessions(), hasher,
        new Representations(context.json()));
    app.get("/api/v1/tenants/{tenantId}/users", handlers::list);
    app.post("/api/v1/tenants/{tenantId}/users", handlers::create);
    app.get("/api/v1/tenants/{tenantId}/users/{userId}", handlers::get);
    app.patch("/api/v1/tenants/{tenantId}/users/{userId}", handlers::patch);
    app.delete("/api/v1/tenants/{tenantId}/users/{userId}", handlers::delete);
    app.get("/api/v1/users/{userId}/permissions", handlers::permissions);
  }
}
