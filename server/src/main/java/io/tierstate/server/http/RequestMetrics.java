package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every request as the timer {@code http.server.requests} (tags: method, the route's
 * pattern as {@code uri} so ids do not explode the series, status, outcome) and writes one
 * key=value access log line. Thread-safe.
 */
public final class RequestMetrics implements RequestLogger {
  private static final Logger log = LoggerFactory.getLogger("io.tierstate.server.access");

  private final MeterRegistry registry;

  /** Creates the recorder over {@code registry}. */
  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(Context ctx, Float executionTimeMs) {
    int status = ctx.statusCode();
    String uri = route(ctx);
    Timer.builder("http.server.requests")
        .description("HTTP requests handled by the server")
        .tag("method", ctx.method().name())
        .tag("uri", uri)
        .tag("status", Integer.toString(status))
        .tag("outcome", outcome(status))
        .register(registry)
        .record((long) (executionTimeMs * 1_000_000L), TimeUnit.NANOSECONDS);
    log.atInfo()
        .addKeyValue("method", ctx.method().name())
        .addKeyValue("path", ctx.path())
        .addKeyValue("status", status)
        .addKeyValue("ms", String.format(java.util.Locale.ROOT, "%.1f", executionTimeMs))
        .log("request");
    RequestIds.clear(); // the last thing that runs for a request
  }

  /** The matched route's pattern, or UNMATCHED when a before-handler answered or no route matched. */
  private static String route(Context ctx) {
    try {
      String route = ctx.endpointHandlerPath();
      return route.isEmpty() || route.equals("*") ? "UNMATCHED" : route;
    } catch (IllegalStateException e) {
      return "UNMATCHED"; // Javalin refuses the question when the request ended in a before-handler
    }
  }

  private static String outcome(int status) {
    if (status >= 500) {
      return "SERVER_ERROR";
    }
    if (status >= 400) {
      return "CLIENT_ERROR";
    }
    return status >= 300 ? "REDIRECTION" : "SUCCESS";
  }
}
