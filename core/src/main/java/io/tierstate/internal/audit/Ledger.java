package io.tierstate.internal.audit;

import io.tierstate.audit.AuditOptions;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The auditor's bookkeeping, free of I/O so that it can be tested on a fake clock: it classifies
 * each sample from what the verifier said, keeps the stale ones until their re-check, and counts
 * outcomes in a sliding window for the consistency ratio.
 *
 * <p>A stale sample is not yet a fault: the write that made it stale may be seconds old, with its
 * invalidation on the way. It is looked at again once the propagation window has passed since it
 * was first seen, in the same tier: gone or replaced or matching by then, it was stale within the
 * window; the same value still not matching is an inconsistency.
 *
 * <p>Thread-safe (synchronized: one sampler thread, and readers of the meters).
 */
final class Ledger {
  /** The tier a sample was taken from. */
  enum Tier {
    L1,
    L2;

    String tag() {
      return this == L1 ? "l1" : "l2";
    }
  }

  /** What a verifier said of a cached value. */
  enum Verdict {
    MATCHES,
    STALE,
    ERROR
  }

  /** How a sample ended. */
  enum Outcome {
    CONSISTENT("consistent"),
    STALE_IN_WINDOW("stale_in_window"),
    INCONSISTENT("inconsistent"),
    ERROR("error");

    final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  /** A stale sample waiting for its re-check. */
  record Pending(String key, Tier tier, Object value, long firstSeenNanos, long dueNanos) {}

  /** What a re-check decided for its sample, and whether it started a new one. */
  record Recheck(Outcome outcome, @Nullable Pending started) {}

  /** Counts in the window: samples that ended consistent or stale within the window, and not. */
  record WindowCounts(long good, long inconsistent) {
    long total() {
      return good + inconsistent;
    }

    /** Consistent over decided samples; NaN before any. */
    double ratio() {
      return total() == 0 ? Double.NaN : (double) good / total();
    }

    /**
     * The ratio's nines, {@code -log10(inconsistent fraction)}, with one more inconsistency counted
     * among one more sample: finite when none was found, and at most {@code log10(samples + 1)},
     * since N clean samples cannot show more. NaN before any sample.
     */
    double nines() {
      return total() == 0 ? Double.NaN : -Math.log10((inconsistent + 1.0) / (total() + 1.0));
    }
  }

  private static final int MAX_BUCKETS = 600;

  private final LongSupplier nanos;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final Set<String> pendingKeys = new HashSet<>();
  private final Map<Outcome, Long> totals = new EnumMap<>(Outcome.class);
  private long bucketNanos;
  private long[] bucketStart = new long[0];
  private long[] good = new long[0];
  private long[] bad = new long[0];

  Ledger(LongSupplier nanos, AuditOptions options) {
    this.nanos = nanos;
    for (Outcome outcome : Outcome.values()) {
      totals.put(outcome, 0L);
    }
    resize(options);
  }

  /** Starts the window over with the options' length (when the options change). */
  synchronized void resize(AuditOptions options) {
    long windowNanos = options.window().toNanos();
    int buckets = (int) Math.min(MAX_BUCKETS, Math.max(1, options.window().toSeconds()));
    long width = Math.max(1, windowNanos / buckets);
    if (width == bucketNanos && buckets == good.length) {
      return;
    }
    bucketNanos = width;
    bucketStart = new long[buckets];
    java.util.Arrays.fill(bucketStart, Long.MIN_VALUE);
    good = new long[buckets];
    bad = new long[buckets];
  }

  /**
   * Classifies a new sample: consistent, an error, or stale (kept for its re-check, unless its key
   * is already waiting in that tier or too many are waiting, an error then).
   *
   * @return the outcome, or empty while the sample waits for its re-check
   */
  synchronized Optional<Outcome> firstLook(
      String key, Tier tier, Object value, Verdict verdict, AuditOptions options) {
    return switch (verdict) {
      case MATCHES -> Optional.of(record(Outcome.CONSISTENT));
      case ERROR -> Optional.of(record(Outcome.ERROR));
      case STALE -> {
        if (pendingKeys.contains(tier + key)) {
          yield Optional.empty(); // the same entry, already waiting: one sample, not two
        }
        if (pending.size() >= options.maxPending()) {
          yield Optional.of(record(Outcome.ERROR)); // cannot be followed up: not counted either way
        }
        wait(key, tier, value, options);
        yield Optional.empty();
      }
    };
  }

  /** The oldest stale sample whose re-check is due, taken off the queue; null if none is. */
  synchronized @Nullable Pending due() {
    Pending first = pending.peekFirst();
    if (first == null || nanos.getAsLong() - first.dueNanos() < 0) {
      return null;
    }
    pending.pollFirst();
    pendingKeys.remove(first.tier() + first.key());
    return first;
  }

  /**
   * Decides a stale sample at its re-check.
   *
   * @param current what the tier holds under the key now (empty: nothing)
   * @param verdict what the verifier said of {@code current} (ignored when it is empty)
   */
  synchronized Recheck recheck(
      Pending sample, Optional<Object> current, Verdict verdict, AuditOptions options) {
    if (current.isEmpty()) {
      return new Recheck(record(Outcome.STALE_IN_WINDOW), null); // invalidated in time
    }
    Object now = current.get();
    if (!Objects.equals(now, sample.value())) {
      // Replaced in time. The new value is a new sample: stale too, it gets its own window.
      record(Outcome.STALE_IN_WINDOW);
      Pending started = null;
      if (verdict == Verdict.STALE && pending.size() < options.maxPending()) {
        started = wait(sample.key(), sample.tier(), now, options);
      }
      return new Recheck(Outcome.STALE_IN_WINDOW, started);
    }
    return switch (verdict) {
      case MATCHES -> new Recheck(record(Outcome.STALE_IN_WINDOW), null);
      case STALE -> new Recheck(record(Outcome.INCONSISTENT), null);
      case ERROR -> new Recheck(record(Outcome.ERROR), null);
    };
  }

  private Pending wait(String key, Tier tier, Object value, AuditOptions options) {
    long now = nanos.getAsLong();
    Pending added = new Pending(key, tier, value, now, now + options.propagationWindow().toNanos());
    pending.addLast(added); // one window for all: the queue stays in due order
    pendingKeys.add(tier + key);
    return added;
  }

  private Outcome record(Outcome outcome) {
    totals.merge(outcome, 1L, Long::sum);
    if (outcome == Outcome.ERROR) {
      return outcome; // neither consistent nor not: left out of the ratio
    }
    long now = nanos.getAsLong();
    long start = Math.floorDiv(now, bucketNanos) * bucketNanos;
    int index = (int) Math.floorMod(Math.floorDiv(now, bucketNanos), (long) good.length);
    if (bucketStart[index] != start) {
      bucketStart[index] = start;
      good[index] = 0;
      bad[index] = 0;
    }
    if (outcome == Outcome.INCONSISTENT) {
      bad[index]++;
    } else {
      good[index]++;
    }
    return outcome;
  }

  /** The decided samples in the window ending now. */
  synchronized WindowCounts window() {
    long now = nanos.getAsLong();
    long oldest = Math.floorDiv(now, bucketNanos) * bucketNanos - (good.length - 1L) * bucketNanos;
    long g = 0;
    long b = 0;
    for (int i = 0; i < good.length; i++) {
      if (bucketStart[i] != Long.MIN_VALUE && bucketStart[i] - oldest >= 0) {
        g += good[i];
        b += bad[i];
      }
    }
    return new WindowCounts(g, b);
  }

  /** Samples ended with {@code outcome} since the start. */
  synchronized long total(Outcome outcome) {
    return totals.getOrDefault(outcome, 0L);
  }

  /** Stale samples waiting for their re-check. */
  synchronized int pending() {
    return pending.size();
  }
}
