package io.tierstate.metrics;

import java.time.Duration;

/**
 * The thresholds the built-in health checks compare against. Start from {@link #defaults()} and
 * change what you need through {@link #toBuilder()}.
 *
 * @param memoryDegraded Redis {@code used_memory / maxmemory} above which the memory check is
 *     DEGRADED (default 0.80)
 * @param memoryUnhealthy the ratio above which the memory check is UNHEALTHY (default 0.95)
 * @param slowPing a PING slower than this makes the ping check DEGRADED (default 250 ms)
 * @param l1FillDegraded {@code L1 size / L1 maximum size} above which the L1 check is DEGRADED
 *     (default 0.95): L1 is evicting hot entries, consider a larger L1
 * @param redisTimeout the longest the health check waits for Redis in total; the effective bound is
 *     the smaller of this and the configured command timeout (default 1 s)
 */
public record HealthThresholds(
    double memoryDegraded,
    double memoryUnhealthy,
    Duration slowPing,
    double l1FillDegraded,
    Duration redisTimeout) {

  /**
   * Thresholds, validated.
   *
   * @throws IllegalArgumentException if a ratio is not in (0, 1], memoryDegraded exceeds
   *     memoryUnhealthy, or a duration is not positive
   */
  public HealthThresholds {
    ratio("memoryDegraded", memoryDegraded);
    ratio("memoryUnhealthy", memoryUnhealthy);
    ratio("l1FillDegraded", l1FillDegraded);
    if (memoryDegraded > memoryUnhealthy) {
      throw new IllegalArgumentException(
          "memoryDegraded ("
              + memoryDegraded
              + ") must not exceed memoryUnhealthy ("
              + memoryUnhealthy
              + ")");
    }
    positive("slowPing", slowPing);
    positive("redisTimeout", redisTimeout);
  }

  private static void ratio(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], but was " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but was " + value);
    }
  }

  /**
   * The default thresholds: memory 80 % / 95 %, slow ping 250 ms, L1 fill 95 %, Redis timeout 1 s.
   */
  public static HealthThresholds defaults() {
    return new HealthThresholds(0.80, 0.95, Duration.ofMillis(250), 0.95, Duration.ofSeconds(1));
  }

  /** A builder starting from these thresholds. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** Builds {@link HealthThresholds}. Not thread-safe. */
  public static final class Builder {
    private double memoryDegraded;
    private double memoryUnhealthy;
    private Duration slowPing;
    private double l1FillDegraded;
    private Duration redisTimeout;

    private Builder(HealthThresholds from) {
      this.memoryDegraded = from.memoryDegraded;
      this.memoryUnhealthy = from.memoryUnhealthy;
      this.slowPing = from.slowPing;
      this.l1FillDegraded = from.l1FillDegraded;
      this.redisTimeout = from.redisTimeout;
    }

    /** The memory ratio above which the memory check is DEGRADED. */
    public Builder memoryDegraded(double ratio) {
      this.memoryDegraded = ratio;
      return this;
    }

    /** The memory ratio above which the memory check is UNHEALTHY. */
    public Builder memoryUnhealthy(double ratio) {
      this.memoryUnhealthy = ratio;
      return this;
    }

    /** The PING latency above which the ping check is DEGRADED. */
    public Builder slowPing(Duration latency) {
      this.slowPing = latency;
      return this;
    }

    /** The L1 fill ratio above which the L1 check is DEGRADED. */
    public Builder l1FillDegraded(double ratio) {
      this.l1FillDegraded = ratio;
      return this;
    }

    /** The longest the health check waits for Redis. */
    public Builder redisTimeout(Duration timeout) {
      this.redisTimeout = timeout;
      return this;
    }

    /**
     * The thresholds.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public HealthThresholds build() {
      return new HealthThresholds(
          memoryDegraded, memoryUnhealthy, slowPing, l1FillDegraded, redisTimeout);
    }
  }
}
