package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a plain token, else a
 * new one. It is echoed in the response header and put in the logging context ({@code
 * requestId}), so every log line of a request, the access line included, can be correlated.
 * Stateless.
 */
public final class RequestIds implements Handler {
  /** The header and the logging-context key. */
  public static final String HEADER = "X-Request-Id";

  static final String MDC_KEY = "requestId";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @Override
  public void handle(Context ctx) {
    String given = ctx.header(HEADER);
    String id = given != null && VALID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** Clears the logging context; called once the request is logged. */
  static void clear() {
    MDC.remove(MDC_KEY);
  }
}
