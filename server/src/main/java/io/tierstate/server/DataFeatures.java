package io.tierstate.server;

import io.javalin.Javalin;
import io.tierstate.server.analytics.AnalyticsFeature;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.events.EventsFeature;
import io.tierstate.server.preferences.PreferencesFeature;
import io.tierstate.server.reference.ReferenceFeature;
import io.tierstate.server.roles.RolesFeature;
import io.tierstate.server.tenants.TenantsFeature;
import io.tierstate.server.users.UsersFeature;
import java.util.List;

/**
 * The data API's features, registered together after auth: tenants, users, roles, reference data,
 * the caller's preferences, tenant analytics and the event stream. Reads {@code SERVER_CACHE} (see {@link DataCaching}) from the environment.
 */
final class DataFeatures implements Feature {
  private final List<Feature> features;

  DataFeatures(PasswordHasher hasher) {
    DataCaching caching = DataCaching.fromEnv(System.getenv());
    this.features = List.of(new TenantsFeature(), new UsersFeature(hasher, caching), new RolesFeature(caching),
        new ReferenceFeature(caching), new PreferencesFeature(caching), new AnalyticsFeature(caching),
        new EventsFeature());
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    features.forEach(feature -> feature.register(app, context));
  }
}
