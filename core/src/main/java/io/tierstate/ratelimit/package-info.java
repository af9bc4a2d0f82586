/**
 * Distributed rate limiting on Redis: fixed window, sliding log, sliding window counter, token
 * bucket and leaky bucket (GCRA), each decision one atomic Lua script on the Redis server's clock,
 * with an explicit behaviour when Redis is unavailable. Entry point: {@link
 * io.tierstate.Tierstate#rateLimiter()}; guide: {@code docs/rate-limiting.md}.
 */
@NullMarked
package io.tierstate.ratelimit;

import org.jspecify.annotations.NullMarked;
