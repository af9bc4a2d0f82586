package io.tierstate.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the tiers hold for one key, as {@link TieredCache#inspect} found it: for operators, not for
 * reading values.
 *
 * @param key the key inspected
 * @param inL1 whether this node's L1 holds an entry for it (fresh or still servable stale)
 * @param inL2 whether Redis holds an entry for it
 * @param l2Ttl the entry's remaining time to live in Redis; empty when it is not in Redis
 * @param sizeBytes the entry's size in Redis as stored (header and payload, compressed if it is); 0
 *     when it is not in Redis
 * @param compressed whether the stored payload is compressed
 * @param absent whether the entry is a cached "not found" (a loader found nothing)
 * @param corrupt whether the bytes in Redis are not a valid entry (reads treat them as a miss)
 * @param writtenAt when the entry in Redis was written; empty when it is not there or is corrupt
 * @param freshUntil until when it is served fresh; empty when it is not there or is corrupt
 * @param fence the key's write fence: how many writes, deletes and invalidations reached it since
 *     its fence was created (fences live twice the load lease TTL after the last one, so 0 means
 *     none recently). It is what fenced fills compare, not a durable version number.
 * @param tags the tags of this node's L1 entry; empty when L1 does not hold it, since Redis keeps
 *     tags as sets of keys, with no index from a key to its tags
 * @param region the entry's cache region ({@link CacheOptions#region}): from this node's L1 entry
 *     when L1 holds it; otherwise, for an entry only in Redis, the first of the regions this node
 *     has used ({@link TieredCache#regions()}) whose tag set in Redis lists the key. Empty when the
 *     entry has no region, is nowhere, or is only in Redis under a region this node has not used
 *     since it started (Redis has no index from a key to its region either, so only known regions
 *     can be asked)
 */
public record KeyInspection(
    String key,
    boolean inL1,
    boolean inL2,
    Optional<Duration> l2Ttl,
    long sizeBytes,
    boolean compressed,
    boolean absent,
    boolean corrupt,
    Optional<Instant> writtenAt,
    Optional<Instant> freshUntil,
    long fence,
    List<String> tags,
    Optional<String> region) {

  /**
   * @throws NullPointerException if an argument is null
   */
  public KeyInspection {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(l2Ttl, "l2Ttl");
    Objects.requireNonNull(writtenAt, "writtenAt");
    Objects.requireNonNull(freshUntil, "freshUntil");
    Objects.requireNonNull(region, "region");
    tags = List.copyOf(tags);
  }

  /** Whether any tier of this node or Redis holds the key. */
  public boolean cached() {
    return inL1 || inL2;
  }
}
