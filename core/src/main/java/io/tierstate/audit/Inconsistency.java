package io.tierstate.audit;

import java.time.Duration;
import java.time.Instant;

/**
 * A cached entry the auditor found still stale after the propagation window, and repaired.
 *
 * @param key the cache key
 * @param tier where it was found: {@code l1} (this node's memory) or {@code l2} (Redis)
 * @param staleFor how long it had been seen stale when it was confirmed
 * @param confirmedAt when it was confirmed
 * @param repaired whether the repair (an invalidation on every node) reached Redis; if not, the
 *     entry is found again by a later sample
 */
public record Inconsistency(
    String key, String tier, Duration staleFor, Instant confirmedAt, boolean repaired) {}
