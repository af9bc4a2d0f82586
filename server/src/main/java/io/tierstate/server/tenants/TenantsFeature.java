package io.tierstate.server.tenants;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.Representations;
import io.tierstate.server.auth.AccessCache;

/**
 * Registers {@code GET/POST /api/v1/tenants} and {@code GET/PATCH /api/v1/tenants/{tenantId}}, for
 * signed-in users (see {@link TenantHandlers} for who may do what). Register after the auth feature.
 */
public final class TenantsFeature implements Feature {
  @Override
  public void register(Javalin app, ServerContext context) {
    TenantHandlers handlers = new TenantHandlers(new TenantStore(context.database()),
        new AccessCache(context.tierstate(), context.database()), context.tierstate(),
        new Representations(context.json()));
    app.get("/api/v1/tenants", handlers::list);
    app.post("/api/v1/tenants", handlers::create);
    app.get("/api/v1/tenants/{tenantId}", handlers::get);
    app.patch("/api/v1/tenants/{tenantId}", handlers::patch);
  }
}
