package io.tierstate.writebehind;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link WriteBehind} batches, retries, dead-letters and recovers. Start from {@link
 * #defaults()} and change what you need with the {@code with} methods:
 *
 * <pre>{@code
 * WriteBehindOptions.defaults().withBatchSize(500).withFlushInterval(Duration.ofMillis(200))
 *     .withWhenRedisUnavailable(WhenRedisUnavailable.REJECT);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class WriteBehindOptions {
  /** The largest batch size accepted. */
  public static final int MAX_BATCH_SIZE = 10_000;

  private static final WriteBehindOptions DEFAULTS = new WriteBehindOptions(new Fields());

  private final int batchSize;
  private final Duration flushInterval;
  private final int maxRetries;
  private final Duration backoff;
  private final double backoffMultiplier;
  private final Duration maxBackoff;
  private final Duration claimIdle;
  private final WhenRedisUnavailable whenRedisUnavailable;
  private final Duration settledRetention;
  private final Predicate<? super Throwable> unreachableWhen;
  private final Duration outageTolerance;

  /** The options' values while a copy is made ({@link #with}), starting from the defaults. */
  private static final class Fields {
    int batchSize = 100;
    Duration flushInterval = Duration.ofSeconds(1);
    int maxRetries = 3;
    Duration backoff = Duration.ofMillis(100);
    double backoffMultiplier = 2.0;
    Duration maxBackoff = Duration.ofSeconds(5);
    Duration claimIdle = Duration.ofSeconds(30);
    WhenRedisUnavailable whenRedisUnavailable = WhenRedisUnavailable.WRITE_THROUGH;
    Duration settledRetention = Duration.ofHours(1);
    Predicate<? super Throwable> unreachableWhen = WriteBehindOptions::isConnectionFailure;
    Duration outageTolerance = Duration.ofMinutes(5);
  }

  private WriteBehindOptions(Fields fields) {
    this.batchSize = fields.batchSize;
    this.flushInterval = fields.flushInterval;
    this.maxRetries = fields.maxRetries;
    this.backoff = fields.backoff;
    this.backoffMultiplier = fields.backoffMultiplier;
    this.maxBackoff = fields.maxBackoff;
    this.claimIdle = fields.claimIdle;
    this.whenRedisUnavailable = fields.whenRedisUnavailable;
    this.settledRetention = fields.settledRetention;
    this.unreachableWhen = fields.unreachableWhen;
    this.outageTolerance = fields.outageTolerance;
  }

  /** A copy of these options with {@code change} applied. */
  private WriteBehindOptions with(Consumer<Fields> change) {
    Fields fields = new Fields();
    fields.batchSize = batchSize;
    fields.flushInterval = flushInterval;
    fields.maxRetries = maxRetries;
    fields.backoff = backoff;
    fields.backoffMultiplier = backoffMultiplier;
    fields.maxBackoff = maxBackoff;
    fields.claimIdle = claimIdle;
    fields.whenRedisUnavailable = whenRedisUnavailable;
    fields.settledRetention = settledRetention;
    fields.unreachableWhen = unreachableWhen;
    fields.outageTolerance = outageTolerance;
    change.accept(fields);
    return new WriteBehindOptions(fields);
  }

  /**
   * Batches of up to 100 entries, flushed at least every second; 3 retries after 100 ms, doubling,
   * at most 5 s apart; entries of a dead node claimed after 30 s; {@link
   * WhenRedisUnavailable#WRITE_THROUGH} while Redis is unavailable; the last version written per
   * key remembered for an hour; a batch writer whose target is unreachable ({@link
   * #isConnectionFailure}) waited for up to 5 minutes.
   */
  public static WriteBehindOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The most entries handed to the {@link BatchWriter} at once (fewer after coalescing by key).
   *
   * @throws IllegalArgumentException if {@code batchSize} is not between 1 and {@value
   *     #MAX_BATCH_SIZE}
   */
  public WriteBehindOptions withBatchSize(int batchSize) {
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "batchSize must be between 1 and " + MAX_BATCH_SIZE + ", was " + batchSize);
    }
    return with(fields -> fields.batchSize = batchSize);
  }

  /**
   * The longest an entry waits for its batch to fill before the batch is written anyway.
   *
   * @throws IllegalArgumentException if {@code flushInterval} is not positive
   */
  public WriteBehindOptions withFlushInterval(Duration flushInterval) {
    return with(fields -> fields.flushInterval = positive("flushInterval", flushInterval));
  }

  /**
   * How many times a batch the writer rejected is retried before its entries go to the dead-letter
   * stream. Failures while the writer's target is unreachable ({@link #withUnreachableWhen}) do not
   * count: {@link #withOutageTolerance} bounds those.
   *
   * @throws IllegalArgumentException if {@code maxRetries} is not between 0 and 100
   */
  public WriteBehindOptions withMaxRetries(int maxRetries) {
    if (maxRetries < 0 || maxRetries > 100) {
      throw new IllegalArgumentException("maxRetries must be between 0 and 100, was " + maxRetries);
    }
    return with(fields -> fields.maxRetries = maxRetries);
  }

  /**
   * Exponential backoff between retries: {@code initial}, then multiplied by {@code multiplier}
   * after each retry, never more than {@code max}.
   *
   * @throws IllegalArgumentException if {@code initial} is not positive, {@code multiplier} is
   *     below 1 or not finite, or {@code max} is shorter than {@code initial}
   */
  public WriteBehindOptions withBackoff(Duration initial, double multiplier, Duration max) {
    positive("backoff initial", initial);
    positive("backoff max", max);
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "backoff multiplier must be a finite number >= 1, was " + multiplier);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff max (" + max + ") must not be shorter than backoff initial (" + initial + ")");
    }
    return with(
        fields -> {
          fields.backoff = initial;
          fields.backoffMultiplier = multiplier;
          fields.maxBackoff = max;
        });
  }

  /**
   * How long an entry read but not acknowledged by a node stays pending before another node claims
   * it (XAUTOCLAIM). A node that is still retrying a batch takes its entries back for itself before
   * every retry, so keep it well above the slowest writer call plus {@link #maxBackoff()}, or a
   * slow but live node's batch is written a second time by another node.
   *
   * @throws IllegalArgumentException if {@code claimIdle} is not positive
   */
  public WriteBehindOptions withClaimIdle(Duration claimIdle) {
    return with(fields -> fields.claimIdle = positive("claimIdle", claimIdle));
  }

  /**
   * What {@link WriteBehind#write} does when the write cannot be queued in Redis.
   *
   * @throws NullPointerException if {@code policy} is null
   */
  public WriteBehindOptions withWhenRedisUnavailable(WhenRedisUnavailable policy) {
    Objects.requireNonNull(policy, "whenRedisUnavailable");
    return with(fields -> fields.whenRedisUnavailable = policy);
  }

  /**
   * How long the version last written for a key is remembered after its batch settled; then the
   * record is trimmed. Within it, an older entry of the key that reaches a writer again (a batch
   * claimed from a node that was slow, not dead) is dropped rather than written over a newer one;
   * after it, such a late duplicate would be written again. Keep it well above {@link #claimIdle()}
   * plus the longest a batch can take.
   *
   * @throws IllegalArgumentException if {@code settledRetention} is not positive
   */
  public WriteBehindOptions withSettledRetention(Duration settledRetention) {
    return with(fields -> fields.settledRetention = positive("settledRetention", settledRetention));
  }

  /**
   * Which batch writer failures mean that the writer's target (the database) is unreachable, rather
   * than that it rejected the batch. A batch failing so is retried with the usual backoff for up to
   * {@link #outageTolerance()}, without counting against {@link #maxRetries()}: its entries are
   * safe in Redis, and an outage is no reason to give up on them. The default is {@link
   * #isConnectionFailure}; to add your own, combine them:
   *
   * <pre>{@code
   * options.withUnreachableWhen(
   *     failure -> WriteBehindOptions.isConnectionFailure(failure) || failure instanceof MyTimeout);
   * }</pre>
   *
   * <p>The predicate runs on the write-behind's thread after each failed attempt; if it throws, the
   * failure counts as a rejection.
   *
   * @throws NullPointerException if {@code unreachableWhen} is null
   */
  public WriteBehindOptions withUnreachableWhen(Predicate<? super Throwable> unreachableWhen) {
    Objects.requireNonNull(unreachableWhen, "unreachableWhen");
    return with(fields -> fields.unreachableWhen = unreachableWhen);
  }

  /**
   * How long a batch may keep failing because its writer's target is unreachable before its entries
   * go to the dead-letter stream. The rule, per batch: every failure is either <em>unreachable</em>
   * ({@link #unreachableWhen()} says so) or a <em>rejection</em>. Rejections count against {@link
   * #maxRetries()} over the batch's whole life; unreachable failures never do. A run of consecutive
   * unreachable failures is an outage, timed from its first failure; the batch is dead-lettered at
   * the first failure after an outage has lasted longer than {@code outageTolerance}. A rejection
   * ends the outage (the target answered), so a later unreachable failure starts a new one. Retries
   * follow the same backoff either way.
   *
   * @throws IllegalArgumentException if {@code outageTolerance} is not positive
   */
  public WriteBehindOptions withOutageTolerance(Duration outageTolerance) {
    return with(fields -> fields.outageTolerance = positive("outageTolerance", outageTolerance));
  }

  /**
   * The default of {@link #withUnreachableWhen}: whether {@code failure}, or any exception in its
   * cause chain (and in the {@link SQLException#getNextException() next-exception} chain of a
   * {@code SQLException}), says that the database could not be reached:
   *
   * <ul>
   *   <li>{@link SQLTransientConnectionException} (HikariCP's "connection is not available"),
   *       {@link SQLRecoverableException} and {@link SQLNonTransientConnectionException};
   *   <li>a {@link SQLException} whose SQLState is of class {@code 08} (connection exception), or
   *       is PostgreSQL's {@code 57P01} (admin shutdown), {@code 57P02} (crash shutdown) or {@code
   *       57P03} (cannot connect now);
   *   <li>{@link ConnectException} (connection refused).
   * </ul>
   *
   * <p>Constraint violations, bad data and bugs are none of these: they are rejections.
   */
  public static boolean isConnectionFailure(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return isConnectionFailure(failure, seen);
  }

  private static boolean isConnectionFailure(@Nullable Throwable failure, Set<Throwable> seen) {
    // Bounded by the identity set: cause chains can loop.
    while (failure != null && seen.add(failure)) {
      if (failure instanceof SQLTransientConnectionException
          || failure instanceof SQLRecoverableException
          || failure instanceof SQLNonTransientConnectionException
          || failure instanceof ConnectException) {
        return true;
      }
      if (failure instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state != null
            && (state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03"))) {
          return true;
        }
        if (isConnectionFailure(sql.getNextException(), seen)) {
          return true;
        }
      }
      failure = failure.getCause();
    }
    return false;
  }

  private static Duration positive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + value);
    }
    return value;
  }

  /** The most entries handed to the batch writer at once. */
  public int batchSize() {
    return batchSize;
  }

  /** The longest an entry waits for its batch to fill. */
  public Duration flushInterval() {
    return flushInterval;
  }

  /** How many times a batch the writer rejected is retried. */
  public int maxRetries() {
    return maxRetries;
  }

  /** The wait before the first retry. */
  public Duration backoff() {
    return backoff;
  }

  /** The factor the wait grows by after each retry. */
  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  /** The longest wait between retries. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * {@return the wait before retry number {@code retry} (0 for the first), capped at {@link
   * #maxBackoff()}}
   */
  public Duration backoffBefore(int retry) {
    double millis = (double) backoff.toMillis() * Math.pow(backoffMultiplier, retry);
    return Duration.ofMillis((long) Math.min(millis, (double) maxBackoff.toMillis()));
  }

  /** How long a pending entry stays with its node before another node claims it. */
  public Duration claimIdle() {
    return claimIdle;
  }

  /** What writes do while Redis is unavailable. */
  public WhenRedisUnavailable whenRedisUnavailable() {
    return whenRedisUnavailable;
  }

  /** How long the last version written per key is remembered after it settled. */
  public Duration settledRetention() {
    return settledRetention;
  }

  /** Which batch writer failures mean that its target is unreachable. */
  public Predicate<? super Throwable> unreachableWhen() {
    return unreachableWhen;
  }

  /** How long a batch may fail because its writer's target is unreachable. */
  public Duration outageTolerance() {
    return outageTolerance;
  }

  @Override
  public String toString() {
    return "WriteBehindOptions[batchSize="
        + batchSize
        + ", flushInterval="
        + flushInterval
        + ", maxRetries="
        + maxRetries
        + ", backoff="
        + backoff
        + " x"
        + backoffMultiplier
        + " max "
        + maxBackoff
        + ", claimIdle="
        + claimIdle
        + ", whenRedisUnavailable="
        + whenRedisUnavailable
        + ", settledRetention="
        + settledRetention
        + ", outageTolerance="
        + outageTolerance
        + "]";
  }
}
