package io.tierstate.internal.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * The in-process limiter used while Redis is unavailable ({@link
 * RateLimitPolicy.Unavailable#LOCAL}): a fixed window for the window algorithms, a token bucket for
 * the bucket algorithms, on this node's clock. The limit holds per node. At most {@value
 * #MAX_IDENTIFIERS} identifiers are kept (least recently used go first), each for at most an hour
 * without use.
 *
 * <p>Thread-safe.
 */
final class LocalRateLimiter {
  static final int MAX_IDENTIFIERS = 100_000;

  private final Clock clock;
  private final Cache<String, State> states =
      Caffeine.newBuilder()
          .maximumSize(MAX_IDENTIFIERS)
          .expireAfterAccess(Duration.ofHours(1))
          .build();

  LocalRateLimiter(Clock clock) {
    this.clock = clock;
  }

  RateLimitResult limit(String key, RateLimitPolicy policy, int cost) {
    // keyed by the policy's parameters too, so a renamed or changed policy starts afresh
    State state = states.get(key + "|" + policy, k -> new State());
    Instant now = clock.instant();
    long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
    synchronized (state) {
      return policy.algorithm().isBucket()
          ? state.bucket(policy, cost, nowMicros)
          : state.window(policy, cost, nowMicros);
    }
  }

  private static final class State {
    private long window = Long.MIN_VALUE;
    private long used;
    private double tokens = Double.NaN;
    private long updated;

    RateLimitResult window(RateLimitPolicy policy, int cost, long now) {
      long period = TimeUnit.NANOSECONDS.toMicros(policy.period().toNanos());
      long index = Math.floorDiv(now, period);
      if (index != window) {
        window = index;
        used = 0;
      }
      long reset = (index + 1) * period;
      boolean allowed = used + cost <= policy.limit();
      if (allowed) {
        used += cost;
      }
      return result(policy, allowed, policy.limit() - used, reset, allowed ? 0 : reset - now, now);
    }

    RateLimitResult bucket(RateLimitPolicy policy, int cost, long now) {
      double rate = policy.amount() / TimeUnit.NANOSECONDS.toMicros(policy.period().toNanos());
      int capacity = policy.limit();
      if (Double.isNaN(tokens)) {
        tokens = capacity;
      } else if (now > updated) {
        tokens = Math.min(capacity, tokens + (now - updated) * rate);
      }
      updated = Math.max(updated, now);
      boolean allowed = tokens >= cost;
      if (allowed) {
        tokens -= cost;
      }
      long fullIn = (long) Math.ceil((capacity - tokens) / rate);
      long retry = allowed ? 0 : Math.max(1, (long) Math.ceil((cost - tokens) / rate));
      return result(policy, allowed, (long) Math.floor(tokens), now + fullIn, retry, now);
    }

    private static RateLimitResult result(
        RateLimitPolicy policy,
        boolean allowed,
        long remaining,
        long resetMicros,
        long retryMicros,
        long nowMicros) {
      return new RateLimitResult(
          allowed,
          policy.limit(),
          Math.max(0, remaining),
          RedisRateLimiter.instant(resetMicros),
          Duration.of(retryMicros, ChronoUnit.MICROS),
          policy.name(),
          RateLimitResult.Source.LOCAL,
          RedisRateLimiter.instant(nowMicros));
    }
  }
}
