package io.tierstate.cache;

/**
 * What one cache region did on this node since it started, read from its counters: a row of the
 * operations dashboard's region table. A region is named by {@link CacheOptions#region}.
 *
 * <p>{@code requests} counts the reads that reached an entry of the region: every read through
 * {@link TieredCache#getOrLoad} with the region's options, and {@link TieredCache#get} reads that
 * found the region's entry in L1 (a {@code get} that misses L1 cannot know the region, and counts
 * only in the global meters). Immutable and thread-safe.
 *
 * @param name the region's name
 * @param requests reads of the region's entries
 * @param l1Hits reads answered by this node's L1
 * @param l2Hits reads answered by Redis
 * @param loads loader calls, whatever their outcome
 * @param loadMeanMillis the mean time of a loader call, 0 before the first
 * @param loadP99Millis the 99th percentile of loader calls over the last minute or so, 0 when none
 * @param l1Entries the region's entries in this node's L1 now
 */
public record CacheRegion(
    String name,
    long requests,
    long l1Hits,
    long l2Hits,
    long loads,
    double loadMeanMillis,
    double loadP99Millis,
    long l1Entries) {

  /** The share of requests answered by L1, from 0 to 1 (0 when there were none). */
  public double l1HitRate() {
    return requests == 0 ? 0 : (double) l1Hits / requests;
  }

  /** The share of requests answered by L2, from 0 to 1 (0 when there were none). */
  public double l2HitRate() {
    return requests == 0 ? 0 : (double) l2Hits / requests;
  }
}
