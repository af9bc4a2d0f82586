package io.tierstate.server.roles;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.Representations;

/** Registers {@code GET /api/v1/tenants/{tenantId}/roles}. Register after the auth feature. */
public final class RolesFeature implements Feature {
  private final DataCaching caching;

  /** Creates the feature; {@code caching} says whether the lists are kept in Tierstate. */
  public RolesFeature(DataCaching caching) {
    this.caching = caching;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    RoleHandlers handlers = new RoleHandlers(context.tierstate(), new RoleStore(context.database()),
        new Representations(context.json()), caching);
    app.get("/api/v1/tenants/{tenantId}/roles", handlers::list);
  }
}
