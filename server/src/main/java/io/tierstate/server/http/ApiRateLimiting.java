package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Rate limits every {@code /api/} request with the core limiter (a sliding window counter named
 * {@code api}): per user when the request carries a valid access token, per client address
 * otherwise. Every answer carries the {@link RateLimitHeaders}; a denied request gets 429 {@code
 * rate_limited}. While Redis is unavailable the limit holds per node (the policy's LOCAL
 * fallback), so an outage neither opens the gates nor shuts them.
 *
 * <p>Runs as a before-handler, ahead of authentication: the user is identified from the token's
 * signature alone, without a session lookup, so floods are refused cheaply.
 *
 * <p>Thread-safe.
 */
public final class ApiRateLimiting implements Handler {
  private final RateLimiter limiter;
  private final RateLimitPolicy policy;
  private final ClientAddress clientAddress;
  private final Function<Context, @Nullable String> userOf;

  /**
   * Creates the limiter.
   *
   * @param userOf the user id of a request with a valid access token, or null
   */
  public ApiRateLimiting(RateLimiter limiter, int limit, Duration window, ClientAddress clientAddress,
      Function<Context, @Nullable String> userOf) {
    this.limiter = limiter;
    this.policy = RateLimitPolicy.slidingWindow(limit, window).named("api");
    this.clientAddress = clientAddress;
    this.userOf = userOf;
  }

  @Override
  public void handle(Context ctx) {
    if (ctx.method().name().equals("OPTIONS")) {
      return;
    }
    String user = userOf.apply(ctx);
    String identifier = user != null ? "user:" + user : "ip:" + clientAddress.of(ctx);
    RateLimitResult result = limiter.limit(identifier, policy);
    RateLimitHeaders.apply(ctx, policy, result);
    if (result.denied()) {
      throw new ApiError(429, "rate_limited", "too many requests; retry after "
          + RateLimitHeaders.retryAfterSeconds(result) + " s");
    }
  }
}
