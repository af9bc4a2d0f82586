package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;
import java.util.Locale;

/**
 * CORS for ALLOWED_ORIGINS: a page on such an origin (a console served from another port or host)
 * may call the API with its cookies and read the answers. Other origins get no CORS headers, so
 * browsers keep them from reading anything; the server's own origin needs none. Preflights
 * ({@code OPTIONS} with {@code Access-Control-Request-Method}) from an allowed origin are answered
 * here with 204. Written by hand: Javalin's plugin answers 400 to requests whose Origin it does not
 * know, which includes the server's own.
 *
 * <p>Immutable and thread-safe.
 */
public final class CrossOrigin implements Handler {
  private static final String METHODS = "GET, POST, PUT, PATCH, DELETE";
  private static final String HEADERS = "Content-Type, X-Request-Id, If-None-Match, If-Match";
  private static final String EXPOSED = "X-Request-Id, ETag, RateLimit, RateLimit-Policy, Retry-After, "
      + "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset";

  private final List<String> allowedOrigins;

  /** Creates the handler for these normalized origins ({@code scheme://host[:port]}, lower case). */
  public CrossOrigin(List<String> allowedOrigins) {
    this.allowedOrigins = List.copyOf(allowedOrigins);
  }

  @Override
  public void handle(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null || !allowedOrigins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
      return;
    }
    ctx.header("Access-Control-Allow-Origin", origin.strip());
    ctx.header("Access-Control-Allow-Credentials", "true");
    ctx.header("Vary", "Origin");
    if (ctx.method().name().equals("OPTIONS") && ctx.header("Access-Control-Request-Method") != null) {
      ctx.header("Access-Control-Allow-Methods", METHODS);
      ctx.header("Access-Control-Allow-Headers", HEADERS);
      ctx.header("Access-Control-Max-Age", "600");
      ctx.status(204);
      ctx.skipRemainingHandlers();
    } else {
      ctx.header("Access-Control-Expose-Headers", EXPOSED);
    }
  }
}
