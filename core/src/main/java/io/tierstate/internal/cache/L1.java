package io.tierstate.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The in-process tier: Caffeine plus what keeps it coherent.
 *
 * <p>Every invalidation bumps a generation (one of 4096 stripes chosen by the key's hash, or a
 * global one for patterns and clears) before it removes the entry. A fill takes a {@link Stamp}
 * before it reads L2 and installs its value only if no generation moved since, checked inside
 * Caffeine's per-key compute so that it cannot interleave with a removal: a value read before an
 * invalidation can never land in L1 after it.
 *
 * <p>While invalidations cannot flow (the log listener is down), entries are trusted for at most
 * {@code degradedTtl} from the later of their insertion and the start of the outage.
 *
 * <p>A tag invalidation from another node names the keys L2 holds under the tag, not the tag alone,
 * so that receiving it costs no scan of L1. Entries cached while Redis was unreachable ({@link
 * L1Entry#unlisted}) are in no L2 tag set and would escape it: while any may be here, such an
 * invalidation also drops what carries its tags ({@link #invalidateUnlisted}).
 */
final class L1 {
  private static final int STRIPES = 4096;
  private static final long TRUSTED = Long.MIN_VALUE;

  private final @Nullable Cache<String, L1Entry> cache;
  private final @Nullable ConcurrentMap<String, L1Entry> map;
  private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
  private final AtomicLong globalGeneration = new AtomicLong();
  private final long maxAgeNanos;
  private final long degradedTtlNanos;
  private volatile long distrustedSinceNanos = TRUSTED;
  // Tag invalidations from other nodes seen so far, and until when an unlisted entry may be served
  // (each installed one extends it, before it checks the count: see putIfUnchanged).
  private final AtomicLong peerTagInvalidations = new AtomicLong();
  private final AtomicLong unlistedUntilNanos = new AtomicLong(System.nanoTime());

  /** A fill's view of the generations (and of the peers' tag invalidations) when it started. */
  record Stamp(
      int stripe, long stripeGeneration, long globalGeneration, long peerTagInvalidations) {}

  L1(long maximumSize, Duration maxAge, Duration degradedTtl, CacheMeters meters) {
    this.maxAgeNanos = maxAge.toNanos();
    this.degradedTtlNanos = degradedTtl.toNanos();
    if (maximumSize == 0) {
      this.cache = null;
      this.map = null;
      return;
    }
    Cache<String, L1Entry> built =
        Caffeine.newBuilder()
            .ticker(CoarseClock::read)
            .maximumSize(maximumSize)
            .expireAfter(new EntryExpiry())
            .removalListener(
                (@Nullable String key, @Nullable L1Entry entry, RemovalCause cause) -> {
                  // Every removal, replacements included, so the region's count stays balanced.
                  if (entry != null && entry.region != null) {
                    entry.region.entryRemoved();
                  }
                  if (cause == RemovalCause.SIZE) {
                    meters.evictionsSize.increment();
                  } else if (cause == RemovalCause.EXPIRED) {
                    meters.evictionsExpired.increment();
                  }
                })
            .build();
    this.cache = built;
    this.map = built.asMap();
    meters.registry.gauge(
        io.tierstate.metrics.MeterNames.CACHE_L1_SIZE, built, Cache::estimatedSize);
  }

  /** Caffeine expiry: each entry lives until its last use, capped by the hard maximum age. */
  private final class EntryExpiry implements Expiry<String, L1Entry> {
    @Override
    public long expireAfterCreate(String key, L1Entry entry, long currentTime) {
      long untilLastUse = Math.max(0, entry.lastUseNanos() - currentTime);
      long cap = distrustedSinceNanos == TRUSTED ? maxAgeNanos : degradedTtlNanos;
      return Math.min(untilLastUse, cap);
    }

    @Override
    public long expireAfterUpdate(
        String key, L1Entry entry, long currentTime, long currentDuration) {
      return expireAfterCreate(key, entry, currentTime);
    }

    @Override
    public long expireAfterRead(String key, L1Entry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  boolean enabled() {
    return cache != null;
  }

  /** The entry, if present and trusted now. */
  @Nullable L1Entry get(String key, long nowNanos) {
    Cache<String, L1Entry> c = cache;
    if (c == null) {
      return null;
    }
    L1Entry entry = c.getIfPresent(key);
    return entry == null ? null : trusted(entry, nowNanos);
  }

  /**
   * Like {@link #get} but quietly: Caffeine records no access, so inspecting L1 (the consistency
   * auditor) does not change what it keeps.
   */
  @Nullable L1Entry peek(String key, long nowNanos) {
    L1Entry entry = peek(key);
    return entry == null ? null : trusted(entry, nowNanos);
  }

  /**
   * The entry, or null if it was written before L1 became distrusted and outlived the degraded TTL.
   */
  private @Nullable L1Entry trusted(L1Entry entry, long nowNanos) {
    long since = distrustedSinceNanos;
    if (since != TRUSTED && nowNanos - Math.max(entry.insertedNanos, since) > degradedTtlNanos) {
      return null;
    }
    return entry;
  }

  /** The keys in L1, weakly consistent (Caffeine's map iterator). */
  Iterator<String> keys() {
    ConcurrentMap<String, L1Entry> m = map;
    return m == null ? Collections.emptyIterator() : m.keySet().iterator();
  }

  /**
   * The entry, if present, without counting a read or extending its life: for inspection, never for
   * serving (it ignores the degraded TTL).
   */
  @Nullable L1Entry peek(String key) {
    Cache<String, L1Entry> c = cache;
    return c == null ? null : c.policy().getIfPresentQuietly(key);
  }

  Stamp stamp(String key) {
    int stripe = stripe(key);
    return new Stamp(
        stripe, generations.get(stripe), globalGeneration.get(), peerTagInvalidations.get());
  }

  private boolean unchanged(Stamp stamp) {
    return generations.get(stamp.stripe()) == stamp.stripeGeneration()
        && globalGeneration.get() == stamp.globalGeneration();
  }

  /** Installs an entry unless an invalidation of its key happened since {@code stamp} was taken. */
  boolean putIfUnchanged(String key, L1Entry entry, Stamp stamp) {
    ConcurrentMap<String, L1Entry> m = map;
    if (m == null) {
      return false;
    }
    if (entry.unlisted && entry.tags.length > 0) {
      // Announced before the check, so that a peer's tag invalidation either moved the count
      // already (the value may predate it: not installed) or sees the announcement and scans
      // (moving the global generation, which this install checks below).
      long until = entry.lastUseNanos();
      unlistedUntilNanos.accumulateAndGet(until, (a, b) -> a - b < 0 ? b : a);
      if (peerTagInvalidations.get() != stamp.peerTagInvalidations()) {
        return false;
      }
    }
    boolean[] installed = {false};
    m.compute(
        key,
        (k, old) -> {
          if (unchanged(stamp)) {
            installed[0] = true;
            if (entry.region != null) {
              entry.region.entryAdded();
            }
            return entry;
          }
          return old;
        });
    return installed[0];
  }

  /** Drops a key, first moving its generation so that fills under way cannot reinstall it. */
  void invalidate(String key) {
    generations.incrementAndGet(stripe(key));
    ConcurrentMap<String, L1Entry> m = map;
    if (m != null) {
      m.remove(key);
    }
  }

  /** Drops every key matching, first moving the global generation. */
  void invalidateIf(Predicate<String> keyMatches) {
    globalGeneration.incrementAndGet();
    ConcurrentMap<String, L1Entry> m = map;
    if (m != null) {
      m.keySet().removeIf(keyMatches);
    }
  }

  /** Drops every entry carrying one of the tags (known for entries written on this node). */
  void invalidateTagged(String[] tags) {
    globalGeneration.incrementAndGet();
    ConcurrentMap<String, L1Entry> m = map;
    if (m != null) {
      m.values()
          .removeIf(
              entry -> {
                for (String tag : tags) {
                  if (entry.hasTag(tag)) {
                    return true;
                  }
                }
                return false;
              });
    }
  }

  /**
   * Another node invalidated {@code tags} and named the keys L2 held under them (which the caller
   * drops): also drops what this node cached under those tags while Redis was unreachable, which no
   * L2 tag set holds. A scan of L1, but only while such entries may be here.
   */
  void invalidateUnlisted(String[] tags) {
    peerTagInvalidations.incrementAndGet();
    if (System.nanoTime() - unlistedUntilNanos.get() < 0) {
      invalidateTagged(tags);
    }
  }

  /** Drops everything. */
  void clear() {
    invalidateIf(key -> true);
  }

  /** Invalidations stopped flowing: from now on entries are trusted only briefly. */
  void distrust(long nowNanos) {
    if (distrustedSinceNanos == TRUSTED) {
      distrustedSinceNanos = nowNanos;
    }
  }

  /** Invalidations flow again (after a resync or a clear). */
  void trust() {
    distrustedSinceNanos = TRUSTED;
  }

  boolean trusted() {
    return distrustedSinceNanos == TRUSTED;
  }

  long size() {
    Cache<String, L1Entry> c = cache;
    return c == null ? 0 : c.estimatedSize();
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
