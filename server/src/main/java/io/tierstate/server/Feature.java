package io.tierstate.server;

import io.javalin.Javalin;

/**
 * One feature package's routes and filters, registered by {@link TierstateServer} in a fixed
 * order. A feature keeps its handlers package-private and exposes only its {@code Feature}.
 *
 * <pre>{@code
 * public final class UsersFeature implements Feature {
 *   public void register(Javalin app, ServerContext context) {
 *     UsersHandlers handlers = new UsersHandlers(context.database(), context.tierstate());
 *     app.get("/api/v1/tenants/{tenantId}/users", handlers::list);   // signed-in users only
 *   }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Feature {
  /** Registers the feature's routes and filters on {@code app}. */
  void register(Javalin app, ServerContext context);
}
