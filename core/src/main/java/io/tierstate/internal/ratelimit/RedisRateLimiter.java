package io.tierstate.internal.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisUnavailableException;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MeterNames;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitPolicy.Algorithm;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.ratelimit.RateLimitResult.Source;
import io.tierstate.ratelimit.RateLimiter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The limiter on Redis: one script call per decision, the policy's fallback when Redis is
 * unavailable.
 *
 * <p>Thread-safe.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final LuaScript FIXED_WINDOW = load(Algorithm.FIXED_WINDOW);
  private static final LuaScript SLIDING_LOG = load(Algorithm.SLIDING_LOG);
  private static final LuaScript SLIDING_WINDOW = load(Algorithm.SLIDING_WINDOW);
  private static final LuaScript TOKEN_BUCKET = load(Algorithm.TOKEN_BUCKET);
  private static final LuaScript LEAKY_BUCKET = load(Algorithm.LEAKY_BUCKET);
  // a denied fallback answer has no clock to compute a wait from; this is long enough for the
  // circuit breaker to have probed Redis again
  private static final Duration FALLBACK_RETRY_AFTER = Duration.ofSeconds(1);

  private final RedisExecutor redis;
  private final String prefix;
  private final MeterRegistry registry;
  private final LocalRateLimiter local;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

  /** A limiter over {@code redis}; {@code Tierstate} creates one per node. */
  public static RateLimiter create(RedisExecutor redis, String namespace, MeterRegistry registry) {
    return new RedisRateLimiter(
        redis, namespace, registry, new LocalRateLimiter(Clock.systemUTC()));
  }

  RedisRateLimiter(
      RedisExecutor redis, String namespace, MeterRegistry registry, LocalRateLimiter local) {
    this.redis = redis;
    this.prefix = namespace + ":rl:";
    this.registry = registry;
    this.local = local;
  }

  private static LuaScript load(Algorithm algorithm) {
    return LuaScript.load(RedisRateLimiter.class, algorithm.label() + ".lua");
  }

  @Override
  public RateLimitResult limit(String identifier, RateLimitPolicy policy) {
    return limit(identifier, policy, 1);
  }

  @Override
  public RateLimitResult limit(String identifier, @Nullable RateLimitPolicy policy, int cost) {
    String id = requireIdentifier(identifier);
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    if (cost < 1 || cost > policy.limit()) {
      throw new IllegalArgumentException(
          "cost must be between 1 and the limit "
              + policy.limit()
              + " of policy '"
              + policy.name()
              + "', but was "
              + cost
              + (cost > policy.limit() ? "; such a request could never be allowed" : ""));
    }
    String key = prefix + policy.name() + ":{" + id + "}";
    RateLimitResult result;
    try {
      result = decide(key, policy, cost);
    } catch (RedisUnavailableException e) {
      result = fallback(key, policy, cost);
    }
    count(result);
    return result;
  }

  private static String requireIdentifier(@Nullable String identifier) {
    try {
      return CacheKeys.requireValidKey(identifier);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rate-limit identifier is invalid: " + e.getMessage(), e);
    }
  }

  private RateLimitResult decide(String key, RateLimitPolicy policy, int cost) {
    LuaScript script =
        switch (policy.algorithm()) {
          case FIXED_WINDOW -> FIXED_WINDOW;
          case SLIDING_LOG -> SLIDING_LOG;
          case SLIDING_WINDOW -> SLIDING_WINDOW;
          case TOKEN_BUCKET -> TOKEN_BUCKET;
          case LEAKY_BUCKET -> LEAKY_BUCKET;
        };
    byte[][] args =
        switch (policy.algorithm()) {
          case FIXED_WINDOW, SLIDING_LOG, SLIDING_WINDOW ->
              args(
                  Integer.toString(policy.limit()),
                  Long.toString(TimeUnit.NANOSECONDS.toMicros(policy.period().toNanos())),
                  Integer.toString(cost));
          case TOKEN_BUCKET ->
              args(
                  Integer.toString(policy.limit()),
                  plain(policy.amount()),
                  Long.toString(TimeUnit.NANOSECONDS.toMicros(policy.period().toNanos())),
                  Integer.toString(cost));
          case LEAKY_BUCKET ->
              args(
                  Integer.toString(policy.limit()),
                  plain(TimeUnit.NANOSECONDS.toMicros(policy.period().toNanos()) / policy.amount()),
                  Integer.toString(cost));
        };
    // On the caller's thread when a direct connection is free: one loopback round trip instead of
    // two thread hand-offs through Lettuce, on every rate-limited request.
    List<Object> reply = redis.script("rate limit " + policy.name(), script, key, args);
    return new RateLimitResult(
        number(reply, 0) == 1,
        policy.limit(),
        Math.max(0, number(reply, 1)),
        instant(number(reply, 2)),
        Duration.of(Math.max(0, number(reply, 3)), ChronoUnit.MICROS),
        policy.name(),
        Source.REDIS,
        instant(number(reply, 4)));
  }

  private RateLimitResult fallback(String key, RateLimitPolicy policy, int cost) {
    Instant now = Instant.now();
    return switch (policy.redisUnavailableBehaviour()) {
      case LOCAL -> local.limit(key, policy, cost);
      case ALLOW ->
          new RateLimitResult(
              true,
              policy.limit(),
              policy.limit() - cost,
              now,
              Duration.ZERO,
              policy.name(),
              Source.FALLBACK_ALLOW,
              now);
      case DENY ->
          new RateLimitResult(
              false,
              policy.limit(),
              0,
              now.plus(FALLBACK_RETRY_AFTER),
              FALLBACK_RETRY_AFTER,
              policy.name(),
              Source.FALLBACK_DENY,
              now);
    };
  }

  private void count(RateLimitResult result) {
    String outcome = result.allowed() ? "allowed" : "denied";
    String source = result.source().name().toLowerCase(Locale.ROOT);
    decisions
        .computeIfAbsent(
            result.policy() + "|" + outcome + "|" + source,
            k ->
                Counter.builder(MeterNames.RATE_LIMIT_DECISIONS)
                    .tag("policy", result.policy())
                    .tag("result", outcome)
                    .tag("source", source)
                    .register(registry))
        .increment();
  }

  private static byte[][] args(String... values) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i].getBytes(StandardCharsets.US_ASCII);
    }
    return bytes;
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).toPlainString();
  }

  private static long number(List<Object> reply, int index) {
    if (reply.size() <= index || !(reply.get(index) instanceof Long value)) {
      throw new IllegalStateException("unexpected rate-limit script reply " + reply);
    }
    return value;
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
  }
}
