package io.tierstate.server.http;

import io.javalin.http.Context;
import java.util.UUID;

/**
 * Typed path parameters: a malformed id is a 400 {@code invalid_id} naming the parameter, never a
 * 500 and never a query with a bad value. Stateless.
 *
 * <pre>{@code
 * UUID tenantId = PathParams.uuid(ctx, "tenantId");   // /api/v1/tenants/{tenantId}/users
 * }</pre>
 */
public final class PathParams {
  private PathParams() {}

  /**
   * The path parameter {@code name} as a UUID.
   *
   * @throws ApiError 400 {@code invalid_id} if it is not a UUID in the canonical 8-4-4-4-12 form
   */
  public static UUID uuid(Context ctx, String name) {
    String value = ctx.pathParam(name);
    // UUID.fromString accepts short groups such as "1-2-3-4-5"; ids are always canonical here.
    if (value.length() == 36) {
      try {
        return UUID.fromString(value);
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw ApiError.badRequest("invalid_id", "'" + name + "' must be a UUID such as "
        + "3f2c1a9e-8d4b-4c1e-9a7f-2b6d5e8c0f13");
  }
}
