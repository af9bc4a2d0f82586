package io.tierstate.internal.hotkeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most frequent keys of a stream, with counts that decay exponentially in time: Space-Saving
 * (Metwally, Agrawal and El Abbadi, 2005) over a fixed number of counters, with forward decay
 * (Cormode, Shkapenyuk, Srivastava and Xu, 2009).
 *
 * <p>Space-Saving keeps {@code capacity} counters. A key that has one adds to it; a new key takes
 * over the smallest counter and inherits its count as its {@code error}, so a counter's count
 * overestimates its key's by at most its error, and every key whose share of the stream exceeds
 * {@code 1 / capacity} holds a counter. The smallest counter is the root of a min-heap, so an
 * update costs O(log capacity).
 *
 * <p>Forward decay: an observation at time {@code t} adds {@code exp(λ (t - landmark))} instead of
 * 1, so a count read at {@code now} and multiplied by {@code exp(-λ (now - landmark))} is the sum
 * of {@code exp(-λ (now - t))} over the key's observations: each one fades with a half-life of
 * {@code ln 2 / λ}. Since every count is scaled by the same factor, the heap's order never needs a
 * pass over all counters when time moves; only when the weights grow large are all counters
 * rescaled once (a new landmark), which keeps their order.
 *
 * <p>Not thread-safe: {@link HotKeySampler} guards it.
 */
final class DecayingTopKeys {
  /** Above this exponent the landmark moves, so that weights stay far from overflow. */
  private static final double MAX_EXPONENT = 32;

  private final int capacity;
  private final double lambdaPerNano;
  private final Map<String, Counter> byKey;
  private final Counter[] heap; // a min-heap on count
  private int size;
  private long landmarkNanos;
  // The last weight computed and its time: on a coarse clock many samples share a tick, and exp
  // is the costliest step of an update.
  private long weightNanos;
  private double weight;

  /** One tracked key: counts are in landmark units (see the class description). */
  private static final class Counter {
    String key;
    double count;
    double error;
    int index;

    Counter(String key, double count, int index) {
      this.key = key;
      this.count = count;
      this.index = index;
    }
  }

  /** One key's decayed weights at the moment a snapshot was taken. */
  record Weighed(String key, double count, double error) {
    /** The weight the key surely has: what it added since it took its counter. */
    double guaranteed() {
      return count - error;
    }
  }

  DecayingTopKeys(int capacity, double halfLifeNanos, long nowNanos) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, but was " + capacity);
    }
    this.capacity = capacity;
    this.lambdaPerNano = Math.log(2) / halfLifeNanos;
    this.byKey = HashMap.newHashMap(capacity);
    this.heap = new Counter[capacity];
    this.landmarkNanos = nowNanos;
    this.weightNanos = nowNanos;
    this.weight = 1;
  }

  /**
   * Adds an observation of {@code key} at {@code nowNanos} (never earlier than the last) that
   * counts {@code times}: a sampled read stands for the reads it was drawn from.
   */
  void add(String key, long nowNanos, double times) {
    double added = times * weightAt(nowNanos);
    Counter counter = byKey.get(key);
    if (counter != null) {
      counter.count += added;
      siftDown(counter.index);
      return;
    }
    if (size < capacity) {
      counter = new Counter(key, added, size);
      heap[size++] = counter;
      byKey.put(key, counter);
      siftUp(counter.index);
      return;
    }
    Counter smallest = heap[0];
    byKey.remove(smallest.key);
    smallest.key = key;
    smallest.error = smallest.count;
    smallest.count += added;
    byKey.put(key, smallest);
    siftDown(0);
  }

  /** Every tracked key with its weights decayed to {@code nowNanos}, in no particular order. */
  List<Weighed> snapshot(long nowNanos) {
    double scale = Math.exp(-lambdaPerNano * (nowNanos - landmarkNanos));
    List<Weighed> all = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Counter c = heap[i];
      all.add(new Weighed(c.key, c.count * scale, c.error * scale));
    }
    return all;
  }

  int size() {
    return size;
  }

  /** The weight of an observation now, moving the landmark first when it would grow too large. */
  private double weightAt(long nowNanos) {
    if (nowNanos == weightNanos) {
      return weight;
    }
    double exponent = lambdaPerNano * (nowNanos - landmarkNanos);
    if (exponent > MAX_EXPONENT) {
      double scale = Math.exp(-exponent); // 0 after a long pause: everything faded, order kept
      for (int i = 0; i < size; i++) {
        heap[i].count *= scale;
        heap[i].error *= scale;
      }
      landmarkNanos = nowNanos;
      exponent = 0;
    }
    weightNanos = nowNanos;
    weight = Math.exp(exponent);
    return weight;
  }

  private void siftUp(int index) {
    Counter moving = heap[index];
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      if (heap[parent].count <= moving.count) {
        break;
      }
      place(heap[parent], index);
      index = parent;
    }
    place(moving, index);
  }

  private void siftDown(int index) {
    Counter moving = heap[index];
    int half = size >>> 1;
    while (index < half) {
      int child = 2 * index + 1;
      int right = child + 1;
      if (right < size && heap[right].count < heap[child].count) {
        child = right;
      }
      if (moving.count <= heap[child].count) {
        break;
      }
      place(heap[child], index);
      index = child;
    }
    place(moving, index);
  }

  private void place(Counter counter, int index) {
    heap[index] = counter;
    counter.index = index;
  }
}
