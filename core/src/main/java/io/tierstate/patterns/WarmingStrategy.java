package io.tierstate.patterns;

import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * A named way to fill the cache ahead of demand, for {@link CacheWarmer}. Built fluently and
 * immutable:
 *
 * <pre>{@code
 * ts.warmer().register(WarmingStrategy.named("popular-products")
 *     .priority(9)
 *     .every(Duration.ofHours(1))
 *     .fetch(() -> db.popularProducts().stream()
 *         .map(p -> WarmEntry.of("product:" + p.id(), p, CacheOptions.ttl(Duration.ofHours(2))))
 *         .toList()));
 * // or, when every entry has the same options:
 * WarmingStrategy.named("countries").fetchValues(CacheOptions.ttl(Duration.ofDays(1)), db::countriesByKey);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class WarmingStrategy {
  /** The shortest period of a scheduled strategy. */
  public static final Duration MIN_PERIOD = Duration.ofMillis(100);

  private final String name;
  private final int priority;
  private final boolean enabled;
  private final @Nullable Duration period;
  private final WarmingFetcher fetcher;

  private WarmingStrategy(Builder builder, WarmingFetcher fetcher) {
    this.name = builder.name;
    this.priority = builder.priority;
    this.enabled = builder.enabled;
    this.period = builder.period;
    this.fetcher = fetcher;
  }

  /**
   * Starts a strategy: priority 0, enabled, not scheduled.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid lock name (the rules of a cache
   *     tag, at most 250 characters)
   */
  public static Builder named(String name) {
    CacheKeys.requireValidTag(name);
    if (name.length() > 250) {
      throw new IllegalArgumentException(
          "warming strategy name '" + name.substring(0, 80) + "...' is longer than 250 characters");
    }
    return new Builder(name);
  }

  /** The strategy's name, unique per warmer. */
  public String name() {
    return name;
  }

  /** Its priority: higher runs first. */
  public int priority() {
    return priority;
  }

  /** Whether {@link CacheWarmer#warmAll()} and the schedule run it. */
  public boolean enabled() {
    return enabled;
  }

  /** How often it runs across the cluster, if scheduled. */
  public Optional<Duration> period() {
    return Optional.ofNullable(period);
  }

  WarmingFetcher fetcher() {
    return fetcher;
  }

  @Override
  public String toString() {
    return "WarmingStrategy["
        + name
        + ", priority "
        + priority
        + (enabled ? "" : ", disabled")
        + (period == null ? "" : ", every " + period)
        + "]";
  }

  /** Builds a {@link WarmingStrategy}; not thread-safe, use it on one thread. */
  public static final class Builder {
    private final String name;
    private int priority;
    private boolean enabled = true;
    private @Nullable Duration period;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the priority: strategies with a higher one run first. Ties run in registration order.
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Enables or disables the strategy. A disabled one runs only through {@link
     * CacheWarmer#warm(String)}.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Schedules the strategy: once per {@code period} across every node that registers it.
     *
     * @throws IllegalArgumentException if {@code period} is null, shorter than {@link #MIN_PERIOD}
     *     or longer than one day
     */
    public Builder every(Duration period) {
      if (period == null
          || period.compareTo(MIN_PERIOD) < 0
          || period.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "period of warming strategy '"
                + name
                + "' must be between 100 ms and 1 day, but was "
                + period);
      }
      this.period = period;
      return this;
    }

    /**
     * Completes the strategy with the fetcher of its entries.
     *
     * @throws IllegalArgumentException if {@code fetcher} is null
     */
    public WarmingStrategy fetch(WarmingFetcher fetcher) {
      if (fetcher == null) {
        throw new IllegalArgumentException(
            "fetcher of warming strategy '" + name + "' must not be null");
      }
      return new WarmingStrategy(this, fetcher);
    }

    /**
     * Completes the strategy with a fetcher of key-value pairs, all cached with {@code options}.
     *
     * @throws IllegalArgumentException if {@code options} or {@code values} is null
     */
    public WarmingStrategy fetchValues(
        CacheOptions options, Callable<? extends Map<String, ?>> values) {
      if (options == null || values == null) {
        throw new IllegalArgumentException(
            "options and values of warming strategy '" + name + "' must not be null");
      }
      return fetch(
          () -> {
            Map<String, ?> fetched = values.call();
            List<WarmEntry> entries = new ArrayList<>(fetched.size());
            fetched.forEach((key, value) -> entries.add(new WarmEntry(key, value, options)));
            return entries;
          });
    }
  }
}
