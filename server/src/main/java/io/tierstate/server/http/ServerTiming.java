package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Locale;

/**
 * The opt-in {@code Server-Timing} response header ({@code SERVER_TIMING=true}): how long the
 * server spent on a request in its handlers, {@code total}, and in the phases that every signed-in
 * request pays, {@code ratelimit} (the API rate limit's Redis script) and {@code auth} (token,
 * session and access check), in milliseconds:
 *
 * <pre>{@code Server-Timing: ratelimit;dur=0.081, auth;dur=0.112, total;dur=0.402}</pre>
 *
 * <p>{@code total} runs from the first before-handler to the last after-handler, so it leaves out
 * Jetty's parsing and the writing of the response; a client's time minus {@code total} is the
 * transport, both sides' HTTP stacks and any pause of either process. Off by default: it tells any
 * caller how long the server's checks took. Stateless.
 */
public final class ServerTiming {
  private static final String START = "tierstate.timing.start";
  private static final String PHASES = "tierstate.timing.phases";

  private ServerTiming() {}

  /** The before-handler that starts the clock; register it first. */
  public static Handler start() {
    return ctx -> ctx.attribute(START, System.nanoTime());
  }

  /** The after-handler that writes the header; register it last. */
  public static Handler finish() {
    return ctx -> {
      Long start = ctx.attribute(START);
      if (start == null) {
        return;
      }
      StringBuilder phases = ctx.attribute(PHASES);
      String total = "total;dur=" + millis(System.nanoTime() - start);
      ctx.header("Server-Timing", phases == null ? total : phases + ", " + total);
    };
  }

  /**
   * Runs {@code handler} as the phase {@code name} when timing is on ({@link #start()} ran for
   * this request), else just runs it.
   */
  public static Handler phase(String name, Handler handler) {
    return ctx -> {
      if (ctx.attribute(START) == null) {
        handler.handle(ctx);
        return;
      }
      long start = System.nanoTime();
      try {
        handler.handle(ctx);
      } finally {
        StringBuilder phases = ctx.attribute(PHASES);
        if (phases == null) {
          phases = new StringBuilder();
          ctx.attribute(PHASES, phases);
        } else {
          phases.append(", ");
        }
        phases.append(name).append(";dur=").append(millis(System.nanoTime() - start));
      }
    };
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}
