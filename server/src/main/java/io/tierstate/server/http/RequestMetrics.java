package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every request as the timer {@code http.server.requests} (tags: method, the route's
 * pattern as {@code uri} so ids do not explode the series, status, outcome) and writes one
 * key=value access log line. Also records {@value #GROUP_TIMER} per route group (tag {@code
 * group}: the first segment after {@code /api/v1/}, such as {@code users}; {@code ops} for health
 * and metrics; {@code console} for the web console) with p50/p95/p99, which the dashboard draws:
 * percentiles per group, not per route, keep the series few. Thread-safe.
 */
public final class RequestMetrics implements RequestLogger {
  private static final Logger log = LoggerFactory.getLogger("io.tierstate.server.access");

  /** The per-route-group timer with percentiles. */
  public static final String GROUP_TIMER = "tierstate.server.http.group";

  private final MeterRegistry registry;
  private final Map<String, Timer> groups = new ConcurrentHashMap<>();
  private final Map<String, Timer> requests = new ConcurrentHashMap<>();

  /** Creates the recorder over {@code registry}. */
  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(Context ctx, Float executionTimeMs) {
    int status = ctx.statusCode();
    String uri = route(ctx);
    String method = ctx.method().name();
    // Looked up by a plain string rather than built and registered per request (tags, sorting).
    requests.computeIfAbsent(method + ' ' + status + ' ' + uri, k -> Timer.builder("http.server.requests")
            .description("HTTP requests handled by the server")
            .tag("method", method)
            .tag("uri", uri)
            .tag("status", Integer.toString(status))
            .tag("outcome", outcome(status))
            .register(registry))
        .record((long) (executionTimeMs * 1_000_000L), TimeUnit.NANOSECONDS);
    groups.computeIfAbsent(group(uri), g -> Timer.builder(GROUP_TIMER)
            .description("HTTP requests by route group, with percentiles")
            .tag("group", g)
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry))
        .record((long) (executionTimeMs * 1_000_000L), TimeUnit.NANOSECONDS);
    if (log.isInfoEnabled()) { // not even the formatting when the access log is off (LOG_LEVEL=WARN)
      log.atInfo()
          .addKeyValue("method", method)
          .addKeyValue("path", ctx.path())
          .addKeyValue("status", status)
          .addKeyValue("ms", String.format(java.util.Locale.ROOT, "%.1f", executionTimeMs))
          .log("request");
    }
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

  /** The route group of a route pattern: {@code /api/v1/tenants/{t}/users} is {@code tenants}. */
  static String group(String uri) {
    if (uri.startsWith("/api/v1/")) {
      int end = uri.indexOf('/', "/api/v1/".length());
      return uri.substring("/api/v1/".length(), end < 0 ? uri.length() : end);
    }
    if (uri.startsWith("/health") || uri.startsWith("/metrics") || uri.startsWith("/admin") || uri.equals("/openapi.json")) {
      return "ops";
    }
    return uri.equals("UNMATCHED") ? "unmatched" : "console";
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
