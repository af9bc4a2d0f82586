package io.tierstate.cache;

import io.tierstate.keys.CacheKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How an entry is cached: its time to live (with optional jitter), tags, compression, and for
 * {@link TieredCache#getOrLoad} the refresh and staleness windows. Immutable; every method returns
 * a changed copy, so options can be kept in constants and derived per call:
 *
 * <pre>{@code
 * static final CacheOptions USERS = CacheOptions.ttl(Duration.ofMinutes(5)).jitter(0.1);
 * cache.getOrLoad(key, User.class, loader, USERS.tags("user:" + id).staleWhileRevalidate(Duration.ofSeconds(30)));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class CacheOptions {
  private static final String[] NO_TAGS = new String[0];
  private static final CacheOptions DEFAULTS =
      new CacheOptions(null, 0, NO_TAGS, false, 0, Duration.ZERO, Duration.ZERO, null, null);

  private final @Nullable Duration ttl;
  private final double jitter;
  private final String[] tags;
  private final boolean compress;
  private final double refreshAhead;
  private final Duration staleWhileRevalidate;
  private final Duration staleIfError;
  private final @Nullable Duration absentTtl;
  private final @Nullable String region;
  // The tags stored with an entry: the given ones and the region's tag, built once per options.
  private final String[] storedTags;

  private CacheOptions(
      @Nullable Duration ttl,
      double jitter,
      String[] tags,
      boolean compress,
      double refreshAhead,
      Duration staleWhileRevalidate,
      Duration staleIfError,
      @Nullable Duration absentTtl,
      @Nullable String region) {
    this.ttl = ttl;
    this.jitter = jitter;
    this.tags = tags;
    this.compress = compress;
    this.refreshAhead = refreshAhead;
    this.staleWhileRevalidate = staleWhileRevalidate;
    this.staleIfError = staleIfError;
    this.absentTtl = absentTtl;
    this.region = region;
    if (region == null) {
      this.storedTags = tags;
    } else {
      String regionTag = CacheKeys.regionTag(region);
      Set<String> all = new LinkedHashSet<>(Arrays.asList(tags));
      all.add(regionTag);
      this.storedTags = all.toArray(NO_TAGS);
    }
  }

  /** Options that use the configured default TTL and nothing else. */
  public static CacheOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Options with a time to live.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  public static CacheOptions ttl(Duration ttl) {
    return DEFAULTS.withTtl(ttl);
  }

  /**
   * A copy with this time to live.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive or over 365 days
   */
  public CacheOptions withTtl(Duration ttl) {
    requirePositive("ttl", ttl);
    return new CacheOptions(
        ttl,
        jitter,
        tags,
        compress,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        region);
  }

  /**
   * A copy whose TTL is shortened by a random fraction of up to {@code fraction}, so entries
   * written together do not all expire together.
   *
   * @throws IllegalArgumentException if {@code fraction} is not in [0, 0.5]
   */
  public CacheOptions jitter(double fraction) {
    if (!(fraction >= 0 && fraction <= 0.5)) {
      throw new IllegalArgumentException("jitter must be between 0 and 0.5, but was " + fraction);
    }
    return new CacheOptions(
        ttl,
        fraction,
        tags,
        compress,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        region);
  }

  /**
   * A copy with these tags (replacing earlier ones), for {@link Invalidator#invalidateTags}.
   *
   * @throws IllegalArgumentException if a tag is empty, too long, or has reserved characters
   */
  public CacheOptions tags(String... tags) {
    Set<String> unique = new LinkedHashSet<>();
    for (String tag : tags) {
      unique.add(CacheKeys.requireValidTag(Objects.requireNonNull(tag, "tag")));
    }
    return new CacheOptions(
        ttl,
        jitter,
        unique.toArray(NO_TAGS),
        compress,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        region);
  }

  /**
   * A copy that puts the entry in a cache region: a named family of entries ({@code users}, {@code
   * permissions}, {@code reference}...) with its own meters ({@code tierstate.cache.region.*}:
   * requests, hits per tier, loads and their time, entries in this node's L1) that {@link
   * Invalidator#invalidateRegion} clears on every node. The entry carries the region's tag {@code
   * region:<name>} (see {@link #tagArray()}); an entry without a region is counted only in the
   * cache's global meters.
   *
   * <p>A node accepts a bounded number of distinct regions (see {@link TieredCache#regions()}): the
   * name is checked here, the bound when the options are first used on a node.
   *
   * @throws IllegalArgumentException if {@code name} is not 1 to {@value
   *     CacheKeys#MAX_REGION_LENGTH} of the characters {@code a-z A-Z 0-9 . _ -}
   */
  public CacheOptions region(String name) {
    String valid = CacheKeys.requireValidRegion(name);
    return new CacheOptions(
        ttl,
        jitter,
        tags,
        compress,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        valid);
  }

  /** The cache region, or null when the entry belongs to none. */
  public @Nullable String regionOrNull() {
    return region;
  }

  /** A copy that compresses the value whatever its size (when compression makes it smaller). */
  public CacheOptions compress() {
    return new CacheOptions(
        ttl,
        jitter,
        tags,
        true,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        region);
  }

  /**
   * A copy that reloads an entry in the background once less than {@code fraction} of its TTL is
   * left, when it is read through {@link TieredCache#getOrLoad}; readers keep the current value.
   *
   * @throws IllegalArgumentException if {@code fraction} is not in (0, 1)
   */
  public CacheOptions refreshAhead(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException(
          "refreshAhead must be between 0 and 1 (exclusive), but was " + fraction);
    }
    return new CacheOptions(
        ttl,
        jitter,
        tags,
        compress,
        fraction,
        staleWhileRevalidate,
        staleIfError,
        absentTtl,
        region);
  }

  /**
   * A copy that, for this long after the TTL ends, serves the expired value from {@link
   * TieredCache#getOrLoad} while one loader refreshes it in the background.
   *
   * @throws IllegalArgumentException if {@code window} is negative
   */
  public CacheOptions staleWhileRevalidate(Duration window) {
    requireNotNegative("staleWhileRevalidate", window);
    return new CacheOptions(
        ttl, jitter, tags, compress, refreshAhead, window, staleIfError, absentTtl, region);
  }

  /**
   * A copy that, for this long after the TTL ends, serves the expired value when the loader fails.
   *
   * @throws IllegalArgumentException if {@code window} is negative
   */
  public CacheOptions staleIfError(Duration window) {
    requireNotNegative("staleIfError", window);
    return new CacheOptions(
        ttl, jitter, tags, compress, refreshAhead, staleWhileRevalidate, window, absentTtl, region);
  }

  /**
   * A copy that caches a loader's {@code null} ("not found") for {@code ttl}, so repeated lookups
   * of missing rows do not reach the source of truth.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  public CacheOptions cacheAbsent(Duration ttl) {
    requirePositive("cacheAbsent", ttl);
    return new CacheOptions(
        this.ttl,
        jitter,
        tags,
        compress,
        refreshAhead,
        staleWhileRevalidate,
        staleIfError,
        ttl,
        region);
  }

  /** The time to live, or null to use the configured default. */
  public @Nullable Duration ttlOrNull() {
    return ttl;
  }

  /** The TTL jitter fraction; 0 means none. */
  public double jitterFraction() {
    return jitter;
  }

  /** The tags, in the order given, without duplicates. */
  public Set<String> tagSet() {
    // Set.copyOf would lose the order: its iteration order is unspecified.
    return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(tags)));
  }

  /**
   * The tags stored with the entry, as an array the caller may keep (a copy; the shared empty array
   * when there are none, so an untagged write allocates nothing here): those given, then the
   * region's tag {@code region:<name>} when the options name a region.
   */
  public String[] tagArray() {
    return storedTags.length == 0 ? storedTags : storedTags.clone();
  }

  /** Whether compression is forced. */
  public boolean compressionForced() {
    return compress;
  }

  /** The refresh-ahead fraction; 0 means none. */
  public double refreshAheadFraction() {
    return refreshAhead;
  }

  /** The stale-while-revalidate window. */
  public Duration staleWhileRevalidateWindow() {
    return staleWhileRevalidate;
  }

  /** The stale-if-error window. */
  public Duration staleIfErrorWindow() {
    return staleIfError;
  }

  /** How long a loader's "absent" result is cached, or null when absence is not cached. */
  public @Nullable Duration absentTtlOrNull() {
    return absentTtl;
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but was " + value);
    }
    if (value.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException(name + " must be at most 365 days, but was " + value);
    }
  }

  private static void requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, but was " + value);
    }
    if (value.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException(name + " must be at most 365 days, but was " + value);
    }
  }

  @Override
  public String toString() {
    return "CacheOptions{ttl="
        + ttl
        + ", jitter="
        + jitter
        + ", tags="
        + Arrays.toString(tags)
        + ", compress="
        + compress
        + ", refreshAhead="
        + refreshAhead
        + ", staleWhileRevalidate="
        + staleWhileRevalidate
        + ", staleIfError="
        + staleIfError
        + ", cacheAbsent="
        + absentTtl
        + ", region="
        + region
        + "}";
  }
}
