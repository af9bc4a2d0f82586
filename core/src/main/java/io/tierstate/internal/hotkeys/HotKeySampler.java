package io.tierstate.internal.hotkeys;

import io.tierstate.cache.HotKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * This node's hot keys: one read in {@code oneIn}, chosen at random, goes into a {@link
 * DecayingTopKeys} sketch with the weight {@code oneIn}, and {@link #top} turns the sketch's
 * decayed weights into reads per second. Weighing each sampled read by the rate it was sampled at
 * keeps the estimates right when {@link #sampling} changes the rate while the node runs. Internal:
 * applications read the result through {@code TieredCache.hotKeys()}.
 *
 * <p>The check on every read is one draw of {@link ThreadLocalRandom}: its seed is a field of the
 * current {@link Thread} that moves by a constant and is mixed, so the check is a per-thread
 * counter step plus a few arithmetic instructions, with no shared write and no allocation. A plain
 * counter per thread would need a {@link ThreadLocal} lookup (a hash probe) and would alias with
 * periodic access patterns: with a period of 64, a loop over 64 keys would sample one key only.
 * Only the sampled read takes the lock, and notes its key; every {@link #BATCH} sampled reads go
 * into the sketch together (hash lookups and heap sifts, while the sketch is in the CPU's caches),
 * so that cost is spread over {@code BATCH * oneIn} reads.
 *
 * <p>Thread-safe.
 */
public final class HotKeySampler {
  /**
   * Counters in the sketch: a key with more than 1/512 of the sampled reads is always tracked, and
   * a count overestimates by at most 1/512 of the (decayed) total. Memory: about 100 bytes per
   * counter plus the keys it holds.
   */
  static final int CAPACITY = 512;

  /**
   * The decayed weight of sampled reads a key needs to be listed, so that one sampled read of a
   * cold key does not make it hot.
   */
  static final double MIN_SAMPLES = 2;

  // Volatile so that sampling() takes effect at once; on the read path a volatile read of an int
  // costs what a plain one does on x86 and ARM (a load), and this one is the only field read there.
  private volatile int oneIn;
  // A read is sampled when 31 random bits are at most this; -1 when sampling is off.
  private volatile int threshold;
  private final double halfLifeNanos;
  private final double lambdaPerNano;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final ReentrantLock lock = new ReentrantLock();
  // Created with the first sampling rate above 0; guarded by lock.
  private @Nullable DecayingTopKeys sketch;

  /** Sampled reads held before they go into the sketch together (see {@link #record}). */
  static final int BATCH = 64;

  // Sampled reads not in the sketch yet, with the rate each was drawn at; guarded by lock.
  private final @Nullable String[] pendingKeys = new String[BATCH];
  private final int[] pendingWeights = new int[BATCH];
  private final long[] pendingNanos = new long[BATCH];
  private int pending;
  // The last rate above 0 (guarded by lock): what a key's weight is compared with once sampling
  // stopped.
  private int lastOneIn = 1;

  /**
   * A sampler.
   *
   * @param oneIn one read in this many is sampled; 0 turns sampling off
   * @param halfLife how fast a key's count fades
   * @param nanoClock a {@link System#nanoTime()}-like clock, read once per sampled read: the
   *     cache's clock sampled every millisecond serves (a decay of 10 s needs no finer time)
   * @throws IllegalArgumentException if {@code oneIn} is negative or {@code halfLife} not positive
   */
  public static HotKeySampler create(int oneIn, Duration halfLife, LongSupplier nanoClock) {
    return new HotKeySampler(oneIn, halfLife, nanoClock);
  }

  HotKeySampler(int oneIn, Duration halfLife, LongSupplier nanoClock) {
    if (halfLife.isNegative() || halfLife.isZero()) {
      throw new IllegalArgumentException("halfLife must be positive, but was " + halfLife);
    }
    this.halfLifeNanos = halfLife.toNanos();
    this.lambdaPerNano = Math.log(2) / halfLife.toNanos();
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    sampling(oneIn);
  }

  /** Whether reads are sampled at all. */
  public boolean enabled() {
    return threshold >= 0;
  }

  /**
   * Samples one read in {@code oneIn} from now on; 0 stops sampling. The keys counted so far stay
   * and fade as usual.
   *
   * @throws IllegalArgumentException if {@code oneIn} is negative
   */
  public void sampling(int oneIn) {
    if (oneIn < 0) {
      throw new IllegalArgumentException("oneIn must be >= 0, but was " + oneIn);
    }
    lock.lock();
    try {
      if (oneIn > 0 && sketch == null) {
        sketch = new DecayingTopKeys(CAPACITY, halfLifeNanos, startNanos);
      }
      if (oneIn > 0) {
        lastOneIn = oneIn;
      }
      this.oneIn = oneIn;
      this.threshold = oneIn == 0 ? -1 : (int) ((1L << 31) / oneIn) - 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts a read of {@code key}: called on every read, the L1 hit included, so it must stay a
   * branch and a random draw unless this read is sampled.
   */
  public void read(String key) {
    if (threshold >= 0 && (ThreadLocalRandom.current().nextInt() >>> 1) <= threshold) {
      record(key);
    }
  }

  /**
   * Notes a sampled read; every {@link #BATCH} of them go into the sketch together. One sketch
   * update alone is cache-cold (sampled reads are hundreds of reads apart, and the sketch's map and
   * heap have left the CPU's caches by then: about a microsecond of misses, measured as 3–4% of an
   * L1 hit); a batch pays for bringing them back once.
   */
  private void record(String key) {
    lock.lock();
    try {
      int weight = oneIn;
      if (weight > 0) {
        pendingKeys[pending] = key;
        pendingWeights[pending] = weight;
        // Read under the lock, so that the times go into the sketch in order.
        pendingNanos[pending] = nanoClock.getAsLong();
        if (++pending == BATCH) {
          drain();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves the pending samples into the sketch, each at the time it was sampled. Under the lock. */
  private void drain() {
    DecayingTopKeys s = sketch;
    if (s != null) {
      for (int i = 0; i < pending; i++) {
        s.add(Objects.requireNonNull(pendingKeys[i]), pendingNanos[i], pendingWeights[i]);
      }
    }
    Arrays.fill(pendingKeys, 0, pending, null);
    pending = 0;
  }

  /**
   * The hottest keys now, at most {@code limit}, hottest first, each with its estimated reads per
   * second: the key's decayed weight that the sketch guarantees (the sampled reads since the key
   * took its counter, each weighing the {@code oneIn} it was sampled at), times the decay rate;
   * while the sampler is younger than a few half-lives, divided by the share of a full window it
   * has seen. Keys with less than {@link #MIN_SAMPLES} decayed sampled reads are left out. Empty
   * when nothing was ever sampled; after sampling stops, the keys fade.
   */
  public List<HotKey> top(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    long now;
    List<DecayingTopKeys.Weighed> all;
    double minWeight;
    lock.lock();
    try {
      DecayingTopKeys s = sketch;
      if (s == null) {
        return List.of();
      }
      drain();
      now = nanoClock.getAsLong();
      all = s.snapshot(now);
      // MIN_SAMPLES sampled reads at the current rate, or at the last one once sampling stopped.
      minWeight = MIN_SAMPLES * lastOneIn;
    } finally {
      lock.unlock();
    }
    // A sampler that ran for t has seen 1 - exp(-λt) of the weight a steady stream reaches.
    double seen = -Math.expm1(-lambdaPerNano * Math.max(1, now - startNanos));
    double perSecond = lambdaPerNano * 1e9 / seen;
    List<DecayingTopKeys.Weighed> hot = new ArrayList<>();
    for (DecayingTopKeys.Weighed w : all) {
      if (w.guaranteed() >= minWeight) {
        hot.add(w);
      }
    }
    hot.sort(
        Comparator.comparingDouble(DecayingTopKeys.Weighed::guaranteed)
            .reversed()
            .thenComparing(DecayingTopKeys.Weighed::key));
    List<HotKey> top = new ArrayList<>(Math.min(limit, hot.size()));
    for (int i = 0; i < hot.size() && i < limit; i++) {
      DecayingTopKeys.Weighed w = hot.get(i);
      top.add(new HotKey(w.key(), w.guaranteed() * perSecond));
    }
    return List.copyOf(top);
  }

  /** How many keys the sketch tracks now: at most {@link #CAPACITY}. */
  int tracked() {
    lock.lock();
    try {
      drain();
      DecayingTopKeys s = sketch;
      return s == null ? 0 : s.size();
    } finally {
      lock.unlock();
    }
  }
}
