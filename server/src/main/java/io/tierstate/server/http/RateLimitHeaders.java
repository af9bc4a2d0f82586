package io.tierstate.server.http;

import io.javalin.http.Context;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Writes a rate-limit decision as response headers: the IETF draft's structured {@code
 * RateLimit-Policy: "api";q=100;w=60} and {@code RateLimit: "api";r=42;t=17} (remaining units and
 * seconds until the quota is fully available again), the familiar {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (Unix time in seconds), and on a
 * denial {@code Retry-After} in whole seconds (at least 1). Stateless.
 */
public final class RateLimitHeaders {
  private RateLimitHeaders() {}

  /** Sets the headers for {@code result} decided under {@code policy}. */
  public static void apply(Context ctx, RateLimitPolicy policy, RateLimitResult result) {
    long window = Math.max(1, ceilSeconds(policy.period()));
    long reset = Math.max(0, ceilSeconds(Duration.between(result.decidedAt(), result.resetAt())));
    ctx.header("RateLimit-Policy", "\"" + policy.name() + "\";q=" + result.limit() + ";w=" + window);
    ctx.header("RateLimit", "\"" + policy.name() + "\";r=" + result.remaining() + ";t=" + reset);
    ctx.header("X-RateLimit-Limit", Integer.toString(result.limit()));
    ctx.header("X-RateLimit-Remaining", Long.toString(result.remaining()));
    // Rounded up to the whole second, like the other times.
    ctx.header("X-RateLimit-Reset", Long.toString(
        result.resetAt().plusNanos(999_999_999).truncatedTo(ChronoUnit.SECONDS).getEpochSecond()));
    if (result.denied()) {
      ctx.header("Retry-After", Long.toString(retryAfterSeconds(result)));
    }
  }

  /** Whole seconds to wait after a denial, rounded up, at least 1. */
  public static long retryAfterSeconds(RateLimitResult result) {
    return Math.max(1, ceilSeconds(result.retryAfter()));
  }

  private static long ceilSeconds(Duration duration) {
    long seconds = duration.getSeconds();
    return duration.getNano() > 0 ? seconds + 1 : seconds;
  }
}
