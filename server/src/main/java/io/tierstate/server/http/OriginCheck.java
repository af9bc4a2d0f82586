package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * CSRF protection by origin: a request with an unsafe method (POST, PUT, PATCH, DELETE) must carry
 * an {@code Origin} header, or failing that a {@code Referer}, naming the server itself (its host
 * and port as in the {@code Host} header) or one of ALLOWED_ORIGINS; otherwise it is refused with
 * 403 {@code csrf_rejected}. Browsers always send {@code Origin} on cross-site unsafe requests and
 * pages cannot forge it, so a foreign site cannot make a signed-in browser act. Login is covered
 * too (login CSRF). Non-browser clients send the header explicitly ({@code curl -H 'Origin:
 * http://localhost:8080'}).
 *
 * <p>Immutable and thread-safe.
 */
public final class OriginCheck implements Handler {
  private static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");

  private final List<String> allowedOrigins;

  /** Creates the check; {@code allowedOrigins} are normalized ({@code scheme://host[:port]}, lower case). */
  public OriginCheck(List<String> allowedOrigins) {
    this.allowedOrigins = List.copyOf(allowedOrigins);
  }

  @Override
  public void handle(Context ctx) {
    if (!UNSAFE.contains(ctx.method().name())) {
      return;
    }
    String origin = ctx.header("Origin");
    String source = origin != null ? origin : ctx.header("Referer");
    if (source == null || source.isBlank()) {
      throw ApiError.forbidden("csrf_rejected",
          ctx.method() + " requests need an Origin header naming this server or an allowed origin");
    }
    if (!allowed(source, ctx.header("Host"))) {
      throw ApiError.forbidden("csrf_rejected",
          "origin '" + source + "' may not send " + ctx.method() + " requests to this server");
    }
  }

  private boolean allowed(String source, @Nullable String host) {
    URI uri;
    try {
      uri = new URI(source.strip());
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme();
    String uriHost = uri.getHost();
    if (scheme == null || uriHost == null) {
      return false; // includes "Origin: null" from sandboxed frames and file: pages
    }
    String authority = uriHost.toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    if (host != null && authority.equals(host.strip().toLowerCase(Locale.ROOT))) {
      return true;
    }
    return allowedOrigins.contains(scheme.toLowerCase(Locale.ROOT) + "://" + authority);
  }
}
