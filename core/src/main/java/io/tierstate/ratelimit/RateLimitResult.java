package io.tierstate.ratelimit;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one rate-limit decision.
 *
 * <p>Times are those of the clock that decided: the Redis server's for {@link Source#REDIS}, this
 * node's otherwise. Immutable and thread-safe.
 *
 * @param allowed whether the request may proceed; when it may, its cost has been consumed
 * @param limit the policy's limit (requests per window, or bucket capacity)
 * @param remaining the units still available right after this decision (never negative)
 * @param resetAt when the full limit is available again if no further request arrives
 * @param retryAfter how long to wait before a request of the same cost can be allowed; zero when
 *     allowed
 * @param policy the name of the policy that decided
 * @param source who decided: Redis, the in-process fallback limiter, or a fixed fallback answer
 * @param decidedAt the time of the decision, on the clock that decided
 */
public record RateLimitResult(
    boolean allowed,
    int limit,
    long remaining,
    Instant resetAt,
    Duration retryAfter,
    String policy,
    Source source,
    Instant decidedAt) {

  /** Who decided a request. */
  public enum Source {
    /** The shared limiter in Redis: the limit holds across all nodes. */
    REDIS,
    /** Redis was unavailable; this node's in-process limiter decided (the limit holds per node). */
    LOCAL,
    /** Redis was unavailable and the policy allows every request meanwhile. */
    FALLBACK_ALLOW,
    /** Redis was unavailable and the policy denies every request meanwhile. */
    FALLBACK_DENY
  }

  /** Whether the request was refused; the opposite of {@link #allowed()}. */
  public boolean denied() {
    return !allowed;
  }
}
