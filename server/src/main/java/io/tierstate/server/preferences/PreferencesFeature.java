package io.tierstate.server.preferences;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.Representations;

/**
 * Registers {@code GET} and {@code PATCH /api/v1/me/preferences}, for any signed-in user. Register
 * after the auth feature.
 */
public final class PreferencesFeature implements Feature {
  private final DataCaching caching;

  /** Creates the feature; {@code caching} says whether reads go through Tierstate. */
  public PreferencesFeature(DataCaching caching) {
    this.caching = caching;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    PreferenceHandlers handlers = new PreferenceHandlers(context.tierstate(), new PreferenceStore(context.database()),
        new Representations(context.json()), caching);
    app.get("/api/v1/me/preferences", handlers::get);
    app.patch("/api/v1/me/preferences", handlers::patch);
  }
}
