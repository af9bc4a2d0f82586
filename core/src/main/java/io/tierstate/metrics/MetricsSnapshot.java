package io.tierstate.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time view of the cache's counters, ready to serialize as JSON.
 *
 * @param hitRate hits in either tier over all reads (0 when there were no reads)
 * @param l1HitRate L1 hits over L1 lookups
 * @param l2HitRate L2 hits over L2 lookups (the L1 misses that reached Redis)
 * @param l1Hits L1 hits
 * @param l1Misses L1 misses
 * @param l2Hits L2 hits
 * @param l2Misses L2 misses
 * @param loads loader runs that returned a value
 * @param loadsAbsent loader runs that found nothing
 * @param loadFailures loader runs that failed
 * @param errors errors of any kind (Redis, corrupt entries, codec, listeners)
 * @param evictions L1 evictions (size and expiry)
 * @param staleServed stale values served (revalidation or error)
 * @param l1Size entries in L1 now
 * @param latencies latency per cache operation that reached Redis or a loader (from {@code
 *     tierstate.cache.operation.duration}), by operation name such as {@code get}
 * @param errorsByKind errors by kind ({@code redis}, {@code corrupt}, {@code codec}, {@code
 *     listener})
 * @param evictionsByCause L1 evictions by cause ({@code size}, {@code expired})
 * @param sessions session counters (zeros when sessions were never used)
 * @param writeBehind write-behind meters (zeros when write-behind is not in use)
 */
public record MetricsSnapshot(
    double hitRate,
    double l1HitRate,
    double l2HitRate,
    long l1Hits,
    long l1Misses,
    long l2Hits,
    long l2Misses,
    long loads,
    long loadsAbsent,
    long loadFailures,
    long errors,
    long evictions,
    long staleServed,
    long l1Size,
    Map<String, Latency> latencies,
    Map<String, Long> errorsByKind,
    Map<String, Long> evictionsByCause,
    Sessions sessions,
    WriteBehind writeBehind) {

  /** A snapshot with unmodifiable copies of its maps. */
  public MetricsSnapshot {
    latencies = Collections.unmodifiableMap(new LinkedHashMap<>(latencies));
    errorsByKind = Collections.unmodifiableMap(new LinkedHashMap<>(errorsByKind));
    evictionsByCause = Collections.unmodifiableMap(new LinkedHashMap<>(evictionsByCause));
  }

  /** A snapshot of all zeros, as before any activity. */
  public static MetricsSnapshot empty() {
    return new MetricsSnapshot(
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        Map.of(),
        Map.of(),
        Map.of(),
        Sessions.NONE,
        WriteBehind.NONE);
  }

  /**
   * The latency of one operation, over Micrometer's recent percentile window.
   *
   * @param count operations recorded since start
   * @param meanMillis mean duration in milliseconds since start
   * @param maxMillis the longest duration in the recent window, in milliseconds
   * @param p50Millis median in milliseconds (recent window)
   * @param p95Millis 95th percentile in milliseconds (recent window)
   * @param p99Millis 99th percentile in milliseconds (recent window)
   */
  public record Latency(
      long count,
      double meanMillis,
      double maxMillis,
      double p50Millis,
      double p95Millis,
      double p99Millis) {}

  /**
   * Session counters of this node.
   *
   * @param created sessions created
   * @param deleted sessions deleted
   * @param evicted sessions ended by the device limit
   * @param validationFailures sessions refused by IP or user-agent validation
   */
  public record Sessions(long created, long deleted, long evicted, long validationFailures) {
    /** No sessions. */
    public static final Sessions NONE = new Sessions(0, 0, 0, 0);
  }

  /**
   * Write-behind meters of this node, summed over queues.
   *
   * @param enqueued writes accepted ({@code tierstate.writebehind.writes}, any result)
   * @param flushed entries delivered to the source of truth ({@code
   *     tierstate.writebehind.delivered})
   * @param failures entries dead-lettered after their last retry ({@code
   *     tierstate.writebehind.dead.letters})
   * @param pending items waiting now
   * @param lagSeconds age of the oldest waiting item in seconds (the largest over queues)
   * @param unreachableSeconds how long a queue's batch writer has found its target (the database)
   *     unreachable, in seconds (the largest over queues; {@code
   *     tierstate.writebehind.unreachable}); 0 while every target answers
   */
  public record WriteBehind(
      long enqueued,
      long flushed,
      long failures,
      long pending,
      double lagSeconds,
      double unreachableSeconds) {
    /** No write-behind. */
    public static final WriteBehind NONE = new WriteBehind(0, 0, 0, 0, 0, 0);
  }
}
