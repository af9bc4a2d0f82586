package io.tierstate.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Single-thread read latency of several subjects open at once, measured in interleaved rounds (a
 * slice of each subject, then the next round) so that the noise of a shared machine falls on all
 * of them alike. Each read is timed with two {@code System.nanoTime()} calls and recorded in an
 * HdrHistogram; the value returned is checked after the clock stops.
 */
final class InterleavedLatency {
  private InterleavedLatency() {}

  /**
   * Reads {@code keys} keys (populated in every subject) uniformly at random and returns one
   * histogram per subject, in the subjects' order.
   *
   * @throws IllegalStateException if a subject returns a wrong value
   */
  static Map<String, Histogram> measure(Map<String, CacheAdapter> subjects, Keys keys, int rounds, int warmUp,
      int perRound) {
    int[] order = KeyDistribution.UNIFORM.draw(keys.names.length, perRound, 42);
    Map<String, Histogram> histograms = new LinkedHashMap<>();
    subjects.keySet().forEach(name -> histograms.put(name, new Histogram(10_000_000_000L, 3)));
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, CacheAdapter> subject : subjects.entrySet()) {
        CacheAdapter adapter = subject.getValue();
        if (round == 0) {
          for (int i = 0; i < warmUp; i++) {
            int k = order[i % order.length];
            Checks.check(keys.values[k].equals(adapter.get(keys.names[k])), subject.getKey() + " returned a wrong value");
          }
        }
        Histogram histogram = Objects.requireNonNull(histograms.get(subject.getKey()));
        for (int i = 0; i < perRound; i++) {
          int k = order[(i + round * 7919) % order.length];
          long start = System.nanoTime();
          Value value = adapter.get(keys.names[k]);
          long elapsed = System.nanoTime() - start;
          histogram.recordValue(elapsed);
          Checks.check(keys.values[k].equals(value),
              subject.getKey() + " returned " + value + " for '" + keys.names[k] + "', expected " + keys.values[k]);
        }
      }
    }
    return histograms;
  }

  /** What each adapter reports as read by another tier or path than it should, as {@code "name: ..."}. */
  static List<String> anomalies(Map<String, CacheAdapter> subjects) {
    List<String> anomalies = new ArrayList<>();
    subjects.forEach((name, adapter) -> {
      String anomaly = adapter.anomalies();
      if (anomaly != null) {
        anomalies.add(name + ": " + anomaly);
      }
    });
    return anomalies;
  }

  /** The keys read and the values they must hold. */
  static final class Keys {
    final String[] names;
    final Value[] values;
    final Map<String, Value> entries = new LinkedHashMap<>();

    Keys(String prefix, int count) {
      names = new String[count];
      values = new Value[count];
      for (int i = 0; i < count; i++) {
        names[i] = prefix + i;
        values[i] = Value.of(i);
        entries.put(names[i], values[i]);
      }
    }
  }
}
