package io.tierstate.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.db.DatabaseException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every failure to the JSON error shape: {@link ApiError} as it is, Javalin's own responses
 * (404 for unknown routes, 405 with {@code Allow} for a known path and another method, 413 for
 * bodies over the limit) with stable codes, an unreachable
 * database or Redis as 503, and anything else as 500 {@code internal_error}: logged with its
 * stack trace, answered without it.
 */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  /**
   * Registers the exception and error handlers on {@code app}; {@code routes} tells a known path
   * with another method (405 with {@code Allow}) from an unknown one (404).
   */
  public static void register(Javalin app, RouteTable routes) {
    app.exception(ApiError.class, (e, ctx) -> write(ctx, e));
    app.exception(HttpResponseException.class, (e, ctx) -> {
      if (e.getStatus() == 404) {
        unmatched(ctx, routes);
      } else {
        write(ctx, fromJavalin(e));
      }
    });
    app.exception(DatabaseException.class, (e, ctx) -> {
      if (e.unavailable()) {
        log.atWarn().addKeyValue("path", ctx.path()).log("database unavailable: {}", e.getMessage());
        write(ctx, ApiError.unavailable("database_unavailable",
            "the database cannot be reached; try again in a moment"));
      } else {
        unexpected(ctx, e);
      }
    });
    app.exception(RedisUnavailableException.class, (e, ctx) -> {
      log.atWarn().addKeyValue("path", ctx.path()).log("redis unavailable: {}", e.getMessage());
      write(ctx, ApiError.unavailable("redis_unavailable",
          "the session store is unavailable; try again in a moment"));
    });
    app.exception(Exception.class, (e, ctx) -> unexpected(ctx, e));
    // Javalin answers unmatched routes itself; give them the same shape.
    app.error(404, ctx -> {
      if (!isJsonError(ctx)) {
        unmatched(ctx, routes);
      }
    });
    app.error(405, ctx -> {
      if (!isJsonError(ctx)) {
        write(ctx, new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
      }
    });
  }

  /** No route for this method and path: 405 with {@code Allow} when the path has routes, else 404. */
  private static void unmatched(Context ctx, RouteTable routes) {
    Set<String> allowed = routes.methodsOf(ctx.path());
    if (!allowed.isEmpty() && !allowed.contains(ctx.method().name())) {
      ctx.header("Allow", String.join(", ", allowed));
      write(ctx, new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()
          + "; allowed: " + String.join(", ", allowed)));
      return;
    }
    write(ctx, ApiError.notFound("no route " + ctx.method() + " " + ctx.path()));
  }

  /** Writes an error response. */
  public static void write(Context ctx, ApiError error) {
    ctx.status(error.status()).json(error.body());
  }

  private static void unexpected(Context ctx, Exception e) {
    log.atError().addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
        .setCause(e).log("unexpected error");
    write(ctx, new ApiError(500, "internal_error",
        "something went wrong on our side; it has been logged, try again later"));
  }

  private static ApiError fromJavalin(HttpResponseException e) {
    int status = e.getStatus();
    return switch (status) {
      case 404 -> ApiError.notFound(e.getMessage() == null ? "not found" : e.getMessage());
      case 405 -> new ApiError(405, "method_not_allowed", String.valueOf(e.getMessage()));
      case 413 -> new ApiError(413, "body_too_large", "the request body is larger than the server accepts");
      case 400 -> ApiError.badRequest("bad_request", String.valueOf(e.getMessage()));
      default -> new ApiError(status < 400 || status > 599 ? 500 : status, "http_" + status,
          String.valueOf(e.getMessage()));
    };
  }

  private static boolean isJsonError(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith("application/json");
  }
}
