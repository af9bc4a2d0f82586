package io.tierstate.server.auth;

import io.javalin.http.Context;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.ratelimit.RateLimiter;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.RateLimitHeaders;

/**
 * Login attempts are limited per client address and per e-mail address with exact sliding logs
 * (every attempt counts, successful or not), so neither one address guessing many passwords nor
 * many addresses guessing one account's password get far. The e-mail is keyed by its hash: no
 * addresses in Redis keys. While Redis is unavailable each node limits on its own (login then
 * fails anyway, as sessions need Redis, but with an honest 503 instead of a misleading 429).
 *
 * <p>Thread-safe.
 */
final class LoginLimits {
  private final RateLimiter limiter;
  private final RateLimitPolicy perIp;
  private final RateLimitPolicy perEmail;

  LoginLimits(RateLimiter limiter, ServerConfig.Auth config) {
    this.limiter = limiter;
    this.perIp = RateLimitPolicy.slidingLog(config.loginLimitPerIp(), config.loginWindow()).named("login-ip")
        .whenRedisUnavailable(RateLimitPolicy.Unavailable.LOCAL);
    this.perEmail = RateLimitPolicy.slidingLog(config.loginLimitPerEmail(), config.loginWindow())
        .named("login-email").whenRedisUnavailable(RateLimitPolicy.Unavailable.LOCAL);
  }

  /**
   * Counts an attempt.
   *
   * @throws ApiError 429 {@code too_many_login_attempts} with {@code Retry-After} when over a limit
   */
  void check(Context ctx, String ip, String email) {
    check(ctx, perIp, "ip:" + ip);
    check(ctx, perEmail, "email:" + RefreshTokens.hash(email).substring(0, 32));
  }

  private void check(Context ctx, RateLimitPolicy policy, String identifier) {
    RateLimitResult result = limiter.limit(identifier, policy);
    if (result.denied()) {
      RateLimitHeaders.apply(ctx, policy, result);
      throw new ApiError(429, "too_many_login_attempts", "too many sign-in attempts; retry after "
          + RateLimitHeaders.retryAfterSeconds(result) + " s");
    }
  }
}
