package io.tierstate.server.reference;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.Representations;
import io.tierstate.server.http.Access;

/**
 * Registers the public reference routes {@code /api/v1/reference/countries}, {@code /timezones}
 * and {@code /currencies}, each with an optional {@code locale} parameter.
 */
public final class ReferenceFeature implements Feature {
  private final DataCaching caching;

  /** Creates the feature; {@code caching} says whether lists are kept in Tierstate. */
  public ReferenceFeature(DataCaching caching) {
    this.caching = caching;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    ReferenceHandlers handlers = new ReferenceHandlers(context.tierstate(), new Representations(context.json()), caching);
    app.get("/api/v1/reference/countries", handlers::countries, Access.PUBLIC);
    app.get("/api/v1/reference/timezones", handlers::timeZones, Access.PUBLIC);
    app.get("/api/v1/reference/currencies", handlers::currencies, Access.PUBLIC);
  }
}
