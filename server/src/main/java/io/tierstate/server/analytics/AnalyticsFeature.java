package io.tierstate.server.analytics;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.Representations;

/** Registers {@code GET /api/v1/tenants/{tenantId}/analytics}. Register after the auth feature. */
public final class AnalyticsFeature implements Feature {
  private final DataCaching caching;

  /** Creates the feature; {@code caching} says whether the analytics are kept in Tierstate. */
  public AnalyticsFeature(DataCaching caching) {
    this.caching = caching;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    AnalyticsHandlers handlers = new AnalyticsHandlers(context.tierstate(), new AnalyticsStore(context.database()),
        new Representations(context.json()), caching);
    app.get("/api/v1/tenants/{tenantId}/analytics", handlers::get);
  }
}
