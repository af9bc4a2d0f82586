package io.tierstate.bench.faults;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The checker's record of one run: every answer by phase and outcome, every call's latency by
 * phase, every read with the version it returned, every acknowledged write with its version and
 * when it was acknowledged, and the highest acknowledged version of every write-behind key.
 *
 * <p>Thread-safe: the load generator's threads record concurrently.
 */
final class Recorder {
  /** Where in the run a call started. */
  enum Phase {
    BEFORE,
    DURING,
    AFTER
  }

  /** A read of item {@code id} on node {@code node} that started at {@code startNanos}. */
  record Read(int node, int id, long startNanos, long version) {}

  /**
   * A write of item {@code id} at {@code version} on node {@code node}, committed at {@code
   * commitNanos} and acknowledged to its caller (its invalidation returned) at {@code ackNanos}.
   */
  record Ack(int node, int id, long version, long commitNanos, long ackNanos) {}

  private volatile Phase phase = Phase.BEFORE;
  private final Map<Phase, Map<String, LongAdder>> outcomes = new EnumMap<>(Phase.class);
  private final Map<Phase, org.HdrHistogram.Recorder> latencies = new EnumMap<>(Phase.class);
  private final Map<String, String> firstMessages = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final Map<String, Long> writeBehindAcked = new ConcurrentHashMap<>();
  private final LongAdder writeBehindWrites = new LongAdder();

  Recorder() {
    for (Phase p : Phase.values()) {
      outcomes.put(p, new ConcurrentHashMap<>());
      latencies.put(p, new org.HdrHistogram.Recorder(3));
    }
  }

  Phase phase() {
    return phase;
  }

  void phase(Phase next) {
    phase = next;
  }

  /** One answered call: its outcome and how long it took. */
  void answer(Phase startedIn, String outcome, long nanos) {
    Objects.requireNonNull(outcomes.get(startedIn)).computeIfAbsent(outcome, o -> new LongAdder()).increment();
    Objects.requireNonNull(latencies.get(startedIn)).recordValue(Math.max(0, nanos));
  }

  /** The first message seen for an outcome, to explain an unexpected one in the report. */
  void explain(String outcome, Throwable failure) {
    firstMessages.putIfAbsent(outcome, failure.getClass().getName() + ": " + failure.getMessage());
  }

  void read(int node, int id, long startNanos, long version) {
    reads.add(new Read(node, id, startNanos, version));
  }

  void acknowledged(int node, int id, long version, long commitNanos, long ackNanos) {
    acks.add(new Ack(node, id, version, commitNanos, ackNanos));
  }

  void writeBehindAcknowledged(String key, long version) {
    writeBehindAcked.merge(key, version, Math::max);
    writeBehindWrites.increment();
  }

  /** Write-behind writes acknowledged to their caller. */
  long writeBehindWrites() {
    return writeBehindWrites.sum();
  }

  /** Answers by outcome in one phase, sorted by outcome. */
  Map<String, Long> outcomes(Phase p) {
    Map<String, Long> counts = new TreeMap<>();
    Objects.requireNonNull(outcomes.get(p)).forEach((outcome, count) -> counts.put(outcome, count.sum()));
    return counts;
  }

  /** Answers by outcome over the whole run. */
  Map<String, Long> outcomes() {
    Map<String, Long> counts = new TreeMap<>();
    for (Phase p : Phase.values()) {
      outcomes(p).forEach((outcome, count) -> counts.merge(outcome, count, Long::sum));
    }
    return counts;
  }

  /** The latencies of one phase. Call once per phase, after the load stopped. */
  Histogram latencies(Phase p) {
    return Objects.requireNonNull(latencies.get(p)).getIntervalHistogram();
  }

  Map<String, String> firstMessages() {
    return Map.copyOf(firstMessages);
  }

  List<Read> reads() {
    return new ArrayList<>(reads);
  }

  List<Ack> acks() {
    return new ArrayList<>(acks);
  }

  Map<String, Long> writeBehindAcked() {
    return Map.copyOf(writeBehindAcked);
  }
}
