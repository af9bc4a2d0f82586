package io.tierstate.ratelimit;

/**
 * Decides whether a request may proceed under a {@link RateLimitPolicy}, shared by all nodes
 * through Redis.
 *
 * <pre>{@code
 * RateLimitResult r = ts.rateLimiter().limit("tenant:42:user:7", RateLimitPolicy.Presets.api());
 * if (r.denied()) {
 *   response.header("Retry-After", r.retryAfter().toSeconds() + 1);
 * }
 * }</pre>
 *
 * <p>Each decision is one atomic Lua script that reads the Redis server's clock, so nodes with
 * skewed clocks agree. State lives at {@code <namespace>:rl:<policy name>:{<identifier>}} and
 * expires by itself. While Redis is unavailable the policy's {@link RateLimitPolicy.Unavailable}
 * decides, and the result's {@link RateLimitResult#source() source} says so. Each decision is
 * counted in {@code tierstate.ratelimit.decisions} with tags {@code policy}, {@code result}
 * (allowed|denied) and {@code source}.
 *
 * <p>Thread-safe.
 */
public interface RateLimiter {

  /** The longest identifier, in UTF-16 characters. */
  int MAX_IDENTIFIER_LENGTH = 512;

  /**
   * Decides a request of cost 1.
   *
   * @param identifier who or what is limited, such as {@code "tenant:42:user:7"} or an IP address;
   *     the rules of a cache key apply (see {@link io.tierstate.keys.CacheKeys#requireValidKey})
   * @throws IllegalArgumentException if {@code identifier} is null, empty, longer than {@value
   *     #MAX_IDENTIFIER_LENGTH} characters or otherwise not valid as a cache key, or {@code policy}
   *     is null
   */
  RateLimitResult limit(String identifier, RateLimitPolicy policy);

  /**
   * Decides a request that costs {@code cost} units; when allowed, all of them are consumed, when
   * denied, none.
   *
   * @throws IllegalArgumentException if {@code identifier} is null, empty, longer than {@value
   *     #MAX_IDENTIFIER_LENGTH} characters or otherwise not valid as a cache key, {@code policy} is
   *     null, or {@code cost} is below 1 or above the policy's {@link RateLimitPolicy#limit()
   *     limit} (such a request could never be allowed)
   */
  RateLimitResult limit(String identifier, RateLimitPolicy policy, int cost);
}
