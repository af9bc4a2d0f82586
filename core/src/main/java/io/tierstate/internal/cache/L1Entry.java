package io.tierstate.internal.cache;

import io.tierstate.codec.TypeRef;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A decoded value in L1 with its deadlines on the {@link System#nanoTime()} clock, so reads never
 * look at the wall clock. An absent marker has a null value.
 */
final class L1Entry {
  final @Nullable Object value;
  final Optional<Object> optional;
  final TypeRef<?> type;
  final long insertedNanos;
  final long freshUntilNanos;
  final long staleUntilNanos;
  final long errorUntilNanos;
  final long ttlNanos;
  final String[] tags;
  // Cached while Redis was unreachable: in this node's L1 only, so in none of L2's tag sets, which
  // are what a tag invalidation names to other nodes (see L1#invalidateUnlisted).
  final boolean unlisted;
  // The region's counters, so that a hit counts without a lookup; null for entries of no region.
  final @Nullable Region region;

  L1Entry(
      @Nullable Object value,
      TypeRef<?> type,
      long insertedNanos,
      long freshUntilNanos,
      long staleUntilNanos,
      long errorUntilNanos,
      long ttlNanos,
      String[] tags,
      @Nullable Region region) {
    this(
        value,
        type,
        insertedNanos,
        freshUntilNanos,
        staleUntilNanos,
        errorUntilNanos,
        ttlNanos,
        tags,
        region,
        false);
  }

  private L1Entry(
      @Nullable Object value,
      TypeRef<?> type,
      long insertedNanos,
      long freshUntilNanos,
      long staleUntilNanos,
      long errorUntilNanos,
      long ttlNanos,
      String[] tags,
      @Nullable Region region,
      boolean unlisted) {
    this.value = value;
    this.optional = Optional.ofNullable(value);
    this.type = type;
    this.insertedNanos = insertedNanos;
    this.freshUntilNanos = freshUntilNanos;
    this.staleUntilNanos = staleUntilNanos;
    this.errorUntilNanos = errorUntilNanos;
    this.ttlNanos = ttlNanos;
    this.tags = tags;
    this.region = region;
    this.unlisted = unlisted;
  }

  boolean absent() {
    return value == null;
  }

  boolean isFresh(long nowNanos) {
    return nowNanos - freshUntilNanos < 0;
  }

  boolean isServableStale(long nowNanos) {
    return nowNanos - staleUntilNanos < 0;
  }

  boolean isServableOnError(long nowNanos) {
    return nowNanos - errorUntilNanos < 0;
  }

  @SuppressWarnings(
      "ReferenceEquality") // the common case is the very same ref; equals() is the fallback
  boolean typeMatches(TypeRef<?> requested) {
    return type == requested || type.equals(requested);
  }

  /** Whether this entry can answer a read for {@code requested}. */
  boolean accepts(TypeRef<?> requested) {
    if (typeMatches(requested)) {
      return true;
    }
    // A value set on this node is stored under its runtime class; a read naming a supertype or
    // the same class can still use it.
    return requested.type() instanceof Class<?> c && (value == null || c.isInstance(value));
  }

  /** Whether less than {@code fraction} of the TTL is left. */
  boolean dueForRefresh(long nowNanos, double fraction) {
    return fraction > 0 && freshUntilNanos - nowNanos < (long) (ttlNanos * fraction);
  }

  /** The latest moment any reader may still use this entry. */
  long lastUseNanos() {
    return Math.max(freshUntilNanos, Math.max(staleUntilNanos, errorUntilNanos));
  }

  /**
   * A copy that nobody may use after {@code deadlineNanos}: for entries cached while degraded, in
   * this node's L1 only ({@link #unlisted}).
   */
  L1Entry capped(long deadlineNanos) {
    return new L1Entry(
        value,
        type,
        insertedNanos,
        earlier(freshUntilNanos, deadlineNanos),
        earlier(staleUntilNanos, deadlineNanos),
        earlier(errorUntilNanos, deadlineNanos),
        ttlNanos,
        tags,
        region,
        true);
  }

  private static long earlier(long a, long b) {
    return a - b < 0 ? a : b;
  }

  boolean hasTag(String tag) {
    for (String own : tags) {
      if (own.equals(tag)) {
        return true;
      }
    }
    return false;
  }
}
