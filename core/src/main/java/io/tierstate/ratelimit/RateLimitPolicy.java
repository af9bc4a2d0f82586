package io.tierstate.ratelimit;

import io.tierstate.keys.CacheKeys;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a rate limiter enforces: an algorithm, its limit and period, a name, and what to do while
 * Redis is unavailable.
 *
 * <pre>{@code
 * RateLimitPolicy.fixedWindow(100, Duration.ofMinutes(1))        // 100 per calendar minute
 * RateLimitPolicy.slidingLog(5, Duration.ofMinutes(15))          // exact, one entry per unit
 * RateLimitPolicy.slidingWindow(100, Duration.ofMinutes(1))      // approximate, two counters
 * RateLimitPolicy.tokenBucket(20, 5.0)                           // bursts of 20, 5 per second
 * RateLimitPolicy.tokenBucket(10, 10, Duration.ofHours(1))       // bursts of 10, 10 per hour
 * RateLimitPolicy.leakyBucket(20, 2.0)                           // GCRA: bursts of 20, then 2/s
 *     .named("search").whenRedisUnavailable(Unavailable.DENY)
 * }</pre>
 *
 * <p>The {@linkplain #name() name} is part of the Redis key and of the metrics' tags: two policies
 * with the same name share their counters for the same identifier, so a name must stand for one set
 * of parameters. The factories give a name derived from the algorithm and its parameters (such as
 * {@code "fixed-window-100-per-60000ms"}); {@link #named(String)} sets a shorter one.
 *
 * <p>Unless {@link #whenRedisUnavailable(Unavailable)} says otherwise, a policy falls back to
 * {@link Unavailable#LOCAL} while Redis is unavailable.
 *
 * <p>Immutable and thread-safe.
 */
public final class RateLimitPolicy {

  /** The longest window or refill period a policy accepts. */
  public static final Duration MAX_PERIOD = Duration.ofDays(366);

  /** The largest limit a sliding log accepts: it keeps one sorted-set member per admitted unit. */
  public static final int MAX_SLIDING_LOG_LIMIT = 100_000;

  /** The longest policy name. */
  public static final int MAX_NAME_LENGTH = 100;

  /** What a limiter answers while Redis is unavailable (down, timing out, or breaker open). */
  public enum Unavailable {
    /** Allow every request: availability over protection. */
    ALLOW,
    /** Deny every request: protection over availability (for example for authentication). */
    DENY,
    /**
     * Decide with an in-process limiter on this node: a fixed window of the same limit and window
     * for the window algorithms, a token bucket of the same capacity and rate for the bucket
     * algorithms. The limit then holds per node, not across the cluster.
     */
    LOCAL
  }

  /** How a policy counts: the factory that made it ({@link #fixedWindow} and so on). */
  public enum Algorithm {
    /** {@link #fixedWindow}. */
    FIXED_WINDOW("fixed-window"),
    /** {@link #slidingLog}. */
    SLIDING_LOG("sliding-log"),
    /** {@link #slidingWindow}. */
    SLIDING_WINDOW("sliding-window"),
    /** {@link #tokenBucket}. */
    TOKEN_BUCKET("token-bucket"),
    /** {@link #leakyBucket}. */
    LEAKY_BUCKET("leaky-bucket");

    private final String label;

    Algorithm(String label) {
      this.label = label;
    }

    /** {@return whether this is a bucket (a capacity and a rate) rather than a window} */
    public boolean isBucket() {
      return this == TOKEN_BUCKET || this == LEAKY_BUCKET;
    }

    /** {@return the lower-case name used in policy names and metrics, such as "token-bucket"} */
    public String label() {
      return label;
    }
  }

  private final String name;
  private final Algorithm algorithm;
  private final int limit;
  private final long periodMicros;
  // units refilled (token bucket) or leaked (leaky bucket) per period; the limit for windows
  private final double amount;
  private final Unavailable unavailable;

  private RateLimitPolicy(
      String name,
      Algorithm algorithm,
      int limit,
      long periodMicros,
      double amount,
      Unavailable unavailable) {
    this.name = name;
    this.algorithm = algorithm;
    this.limit = limit;
    this.periodMicros = periodMicros;
    this.amount = amount;
    this.unavailable = unavailable;
  }

  /**
   * At most {@code limit} units per fixed window of length {@code window}, windows aligned to the
   * Redis server's clock (a minute window starts on the minute). Cheapest, but a client can use up
   * to twice the limit across a window boundary. State: one small hash per identifier.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1, or {@code window} is shorter than
   *     1 ms or longer than {@link #MAX_PERIOD}
   */
  public static RateLimitPolicy fixedWindow(int limit, Duration window) {
    return windowPolicy(Algorithm.FIXED_WINDOW, limit, window);
  }

  /**
   * At most {@code limit} units in any sliding window of length {@code window}: exact, at the price
   * of one sorted-set member per admitted unit (so at most {@code limit} members).
   *
   * @throws IllegalArgumentException if {@code limit} is below 1 or above {@link
   *     #MAX_SLIDING_LOG_LIMIT}, or {@code window} is shorter than 1 ms or longer than {@link
   *     #MAX_PERIOD}
   */
  public static RateLimitPolicy slidingLog(int limit, Duration window) {
    if (limit > MAX_SLIDING_LOG_LIMIT) {
      throw new IllegalArgumentException(
          "limit of a sliding log must be at most "
              + MAX_SLIDING_LOG_LIMIT
              + " (one entry per unit), but was "
              + limit
              + "; use slidingWindow for large limits");
    }
    return windowPolicy(Algorithm.SLIDING_LOG, limit, window);
  }

  /**
   * Sliding window counter: admits a request when the units of the current fixed window plus those
   * of the previous one, weighted by the share of the previous window that still lies in the
   * sliding window, stay within {@code limit}. Two counters per identifier.
   *
   * <p>Error bound: no fixed window ever admits more than {@code limit}. The estimate assumes the
   * previous window's units were spread evenly; when they were not, a sliding window of length
   * {@code window} can hold more than {@code limit} units, but always fewer than {@code 2 * limit}
   * (worst case: the previous window's whole limit at its very end, followed by steady demand). For
   * evenly spread demand the estimate is exact.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1, or {@code window} is shorter than
   *     1 ms or longer than {@link #MAX_PERIOD}
   */
  public static RateLimitPolicy slidingWindow(int limit, Duration window) {
    return windowPolicy(Algorithm.SLIDING_WINDOW, limit, window);
  }

  /**
   * A token bucket of {@code capacity} tokens, refilled continuously at {@code refillPerSecond}
   * tokens per second; a request takes its cost in tokens. Over any interval of length t it admits
   * at most {@code capacity + refillPerSecond * t} units.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1 or {@code refillPerSecond} is
   *     not a positive finite number
   */
  public static RateLimitPolicy tokenBucket(int capacity, double refillPerSecond) {
    requireRate("refillPerSecond", refillPerSecond);
    return bucketPolicy(Algorithm.TOKEN_BUCKET, capacity, refillPerSecond, Duration.ofSeconds(1));
  }

  /**
   * A token bucket of {@code capacity} tokens, refilled continuously by {@code refillAmount} tokens
   * per {@code refillPeriod} (spread evenly over the period, not added at once).
   *
   * @throws IllegalArgumentException if {@code capacity} or {@code refillAmount} is below 1, or
   *     {@code refillPeriod} is shorter than 1 ms or longer than {@link #MAX_PERIOD}
   */
  public static RateLimitPolicy tokenBucket(int capacity, int refillAmount, Duration refillPeriod) {
    if (refillAmount < 1) {
      throw new IllegalArgumentException("refillAmount must be >= 1, but was " + refillAmount);
    }
    return bucketPolicy(
        Algorithm.TOKEN_BUCKET,
        capacity,
        refillAmount,
        requirePeriod("refillPeriod", refillPeriod));
  }

  /**
   * A leaky bucket used as a meter (the generic cell rate algorithm, GCRA): the bucket holds {@code
   * capacity} units and leaks {@code leakPerSecond} units per second; a request fits if it does not
   * overflow the bucket. It admits a burst of {@code capacity}, then the leak rate; its state is
   * one timestamp per identifier.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1 or {@code leakPerSecond} is not
   *     a positive finite number
   */
  public static RateLimitPolicy leakyBucket(int capacity, double leakPerSecond) {
    requireRate("leakPerSecond", leakPerSecond);
    return bucketPolicy(Algorithm.LEAKY_BUCKET, capacity, leakPerSecond, Duration.ofSeconds(1));
  }

  private static RateLimitPolicy windowPolicy(Algorithm algorithm, int limit, Duration window) {
    requireLimit("limit", limit);
    Duration checked = requirePeriod("window", window);
    return new RateLimitPolicy(
        algorithm.label() + "-" + limit + "-per-" + checked.toMillis() + "ms",
        algorithm,
        limit,
        micros(checked),
        limit,
        Unavailable.LOCAL);
  }

  private static RateLimitPolicy bucketPolicy(
      Algorithm algorithm, int capacity, double amount, Duration period) {
    requireLimit("capacity", capacity);
    long periodMicros = micros(period);
    if (amount / periodMicros * 1_000_000 * MAX_PERIOD.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "rate of "
              + amount
              + " per "
              + period
              + " is too slow: less than one unit per "
              + MAX_PERIOD);
    }
    String rate = BigDecimal.valueOf(amount).stripTrailingZeros().toPlainString();
    String what = algorithm == Algorithm.TOKEN_BUCKET ? "-refill-" : "-leak-";
    return new RateLimitPolicy(
        algorithm.label() + "-" + capacity + what + rate + "-per-" + period.toMillis() + "ms",
        algorithm,
        capacity,
        periodMicros,
        amount,
        Unavailable.LOCAL);
  }

  private static void requireLimit(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, but was " + value);
    }
  }

  private static void requireRate(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          what + " must be a positive finite number, but was " + value);
    }
  }

  private static Duration requirePeriod(String what, @Nullable Duration period) {
    if (period == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (period.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(what + " must be at least 1 ms, but was " + period);
    }
    if (period.compareTo(MAX_PERIOD) > 0) {
      throw new IllegalArgumentException(
          what + " must be at most " + MAX_PERIOD + ", but was " + period);
    }
    return period;
  }

  private static long micros(Duration period) {
    return period.toNanos() / 1_000;
  }

  /**
   * A copy of this policy with another name (the Redis key segment and metrics tag).
   *
   * @throws IllegalArgumentException if {@code name} is null or empty, longer than {@value
   *     #MAX_NAME_LENGTH} characters, contains {@code ':'}, or is not valid in a cache key (see
   *     {@link CacheKeys#requireValidKey})
   */
  public RateLimitPolicy named(String name) {
    return new RateLimitPolicy(
        requireName(name), algorithm, limit, periodMicros, amount, unavailable);
  }

  private static String requireName(@Nullable String name) {
    String checked;
    try {
      checked = CacheKeys.requireValidKey(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("policy name is invalid: " + e.getMessage(), e);
    }
    if (checked.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "policy name '"
              + checked.substring(0, 20)
              + "...' is "
              + checked.length()
              + " characters long, more than the maximum of "
              + MAX_NAME_LENGTH);
    }
    int colon = checked.indexOf(':');
    if (colon >= 0) {
      throw new IllegalArgumentException(
          "policy name '" + checked + "' must not contain ':', found at index " + colon);
    }
    return checked;
  }

  /**
   * A copy of this policy that answers with {@code behaviour} while Redis is unavailable.
   *
   * @throws IllegalArgumentException if {@code behaviour} is null
   */
  public RateLimitPolicy whenRedisUnavailable(Unavailable behaviour) {
    if (behaviour == null) {
      throw new IllegalArgumentException("behaviour must not be null; choose ALLOW, DENY or LOCAL");
    }
    return new RateLimitPolicy(name, algorithm, limit, periodMicros, amount, behaviour);
  }

  /** {@return the name, used in the Redis key and as the metrics' {@code policy} tag} */
  public String name() {
    return name;
  }

  /** {@return the limit per window, or the bucket's capacity} */
  public int limit() {
    return limit;
  }

  /** {@return the window, or the period of the refill or leak rate} */
  public Duration period() {
    return Duration.ofNanos(periodMicros * 1_000);
  }

  /** {@return what this policy answers while Redis is unavailable} */
  public Unavailable redisUnavailableBehaviour() {
    return unavailable;
  }

  /** {@return how this policy counts} */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * {@return units refilled or leaked per {@linkplain #period() period} for the buckets; the limit
   * for the windows}
   */
  public double amount() {
    return amount;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RateLimitPolicy other
        && name.equals(other.name)
        && algorithm == other.algorithm
        && limit == other.limit
        && periodMicros == other.periodMicros
        && Double.compare(amount, other.amount) == 0
        && unavailable == other.unavailable;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, algorithm, limit, periodMicros, amount, unavailable);
  }

  @Override
  public String toString() {
    return "RateLimitPolicy{"
        + name
        + ", "
        + algorithm.label()
        + ", limit="
        + limit
        + ", period="
        + period()
        + (algorithm.isBucket() ? ", rate=" + amount + "/period" : "")
        + ", whenRedisUnavailable="
        + unavailable
        + "}";
  }

  /**
   * Policies for common cases, each named after its use. Adjust them with {@link #named} and {@link
   * #whenRedisUnavailable}, or build your own with the factories.
   *
   * <p>Thread-safe (static factories of immutable values).
   */
  public static final class Presets {
    private Presets() {}

    /**
     * General API traffic: a sliding window counter of 100 requests per minute, named {@code
     * "api"}; falls back to {@link Unavailable#LOCAL}.
     */
    public static RateLimitPolicy api() {
      return slidingWindow(100, Duration.ofMinutes(1)).named("api");
    }

    /**
     * Sign-in and other credential checks: a sliding log of 5 attempts per 15 minutes (exact, so no
     * boundary burst lets a guesser through), named {@code "auth"}; {@link Unavailable#DENY} while
     * Redis is unavailable, since a per-node limit would multiply a guesser's attempts.
     */
    public static RateLimitPolicy auth() {
      return slidingLog(5, Duration.ofMinutes(15))
          .named("auth")
          .whenRedisUnavailable(Unavailable.DENY);
    }

    /**
     * Uploads: a token bucket of 10, refilled by 10 per hour, named {@code "upload"}; falls back to
     * {@link Unavailable#LOCAL}.
     */
    public static RateLimitPolicy upload() {
      return tokenBucket(10, 10, Duration.ofHours(1)).named("upload");
    }

    /**
     * Search: a leaky bucket (GCRA) of 20, leaking 2 per second (a burst of 20, then 120 per
     * minute), named {@code "search"}; falls back to {@link Unavailable#LOCAL}.
     */
    public static RateLimitPolicy search() {
      return leakyBucket(20, 2.0).named("search");
    }
  }
}
