package io.tierstate.server.api;

import io.javalin.http.Context;
import io.tierstate.server.http.ApiError;
import java.util.UUID;
import java.util.regex.Pattern;

/** Ids taken from route paths; a malformed one is a 400 naming the parameter, never a 500. Stateless. */
public final class PathIds {
  // UUID.fromString accepts "1-1-1-1-1"; ids are only ever the canonical 36-character form.
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private PathIds() {}

  /**
   * The path parameter {@code name} as a UUID.
   *
   * @throws ApiError 400 {@code invalid_id} if it is not a UUID
   */
  public static UUID uuid(Context ctx, String name) {
    String value = ctx.pathParam(name);
    if (!CANONICAL.matcher(value).matches()) {
      throw ApiError.badRequest("invalid_id", "'" + name + "' must be a UUID such as "
          + "3f2b9c4e-8a1d-4c7e-9b2a-5d6e7f8a9b0c, but was '" + QueryParameters.shorten(value) + "'");
    }
    return UUID.fromString(value);
  }
}
