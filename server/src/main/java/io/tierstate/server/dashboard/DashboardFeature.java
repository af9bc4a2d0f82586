package io.tierstate.server.dashboard;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;

/**
 * Registers {@code GET /api/v1/dashboard}, {@code GET /api/v1/dashboard/nodes},
 * {@code GET /api/v1/dashboard/regions}, {@code GET /api/v1/dashboard/hotkeys}, {@code POST /api/v1/dashboard/regions/{name}/clear} and starts this node's {@link DashboardSampler}, stopped
 * with the server. Register after the auth feature.
 */
public final class DashboardFeature implements Feature {
  @Override
  public void register(Javalin app, ServerContext context) {
    DashboardSampler sampler = new DashboardSampler(context.tierstate().metrics(), context.tierstate().nodes());
    app.events(events -> events.serverStopping(sampler::close));
    DashboardHandlers handlers = new DashboardHandlers(context.tierstate(), sampler);
    app.get("/api/v1/dashboard", handlers::get);
    app.get("/api/v1/dashboard/nodes", handlers::nodes);
    app.get("/api/v1/dashboard/regions", handlers::regions);
    app.get("/api/v1/dashboard/hotkeys", handlers::hotKeys);
    app.post("/api/v1/dashboard/regions/{name}/clear", handlers::clearRegion);
  }
}
