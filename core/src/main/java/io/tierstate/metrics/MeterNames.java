package io.tierstate.metrics;

/**
 * The names of the Micrometer meters Tierstate registers, for dashboards and alerts. Prometheus
 * renders dots as underscores ({@code tierstate_cache_requests_total}).
 *
 * <p>Thread-safe (constants only).
 */
public final class MeterNames {
  /** Counter of reads per tier; tags {@code tier} = l1|l2, {@code result} = hit|miss. */
  public static final String CACHE_REQUESTS = "tierstate.cache.requests";

  /** Counter of loader runs; tag {@code result} = success|absent|failure. */
  public static final String CACHE_LOADS = "tierstate.cache.loads";

  /** Timer of loader runs. */
  public static final String CACHE_LOAD_DURATION = "tierstate.cache.load.duration";

  /** Timer of cache operations that reach Redis or a loader; tag {@code operation}. */
  public static final String CACHE_OPERATION_DURATION = "tierstate.cache.operation.duration";

  /** Counter of errors; tag {@code kind} = redis|corrupt|codec|listener. */
  public static final String CACHE_ERRORS = "tierstate.cache.errors";

  /** Counter of L1 evictions; tag {@code cause} = size|expired. */
  public static final String CACHE_EVICTIONS = "tierstate.cache.evictions";

  /** Counter of stale values served; tag {@code reason} = revalidate|error. */
  public static final String CACHE_STALE_SERVED = "tierstate.cache.stale.served";

  /** Counter of fills refused because a newer write fenced them off; tag {@code reason}. */
  public static final String CACHE_FILLS_REJECTED = "tierstate.cache.fills.rejected";

  /** Gauge of L1 entries. */
  public static final String CACHE_L1_SIZE = "tierstate.cache.l1.size";

  /**
   * Function counter of reads of entries in a cache region (L1 hits plus L1 misses that named the
   * region); tag {@code region}. Read at scrape time from the region's striped counters.
   */
  public static final String REGION_REQUESTS = "tierstate.cache.region.requests";

  /** Function counter of a region's hits; tags {@code region}, {@code tier} = l1|l2. */
  public static final String REGION_HITS = "tierstate.cache.region.hits";

  /** Function counter of a region's loader calls (any outcome); tag {@code region}. */
  public static final String REGION_LOADS = "tierstate.cache.region.loads";

  /** Timer of a region's loader calls (mean, p50, p99); tag {@code region}. */
  public static final String REGION_LOAD_DURATION = "tierstate.cache.region.load.duration";

  /** Gauge of the entries of a region in this node's L1; tag {@code region}. */
  public static final String REGION_L1_ENTRIES = "tierstate.cache.region.l1.entries";

  /** Counter of invalidations received from other nodes. */
  public static final String INVALIDATIONS_RECEIVED = "tierstate.invalidation.received";

  /** Counter of invalidations published by this node. */
  public static final String INVALIDATIONS_PUBLISHED = "tierstate.invalidation.published";

  /**
   * Timer of the invalidation log's propagation lag: from the moment Redis appended another node's
   * entry (the stream id's millisecond part, Redis's clock) to the moment this node read it (its
   * own clock, so skew between the two adds to it; negative values count as 0).
   */
  public static final String INVALIDATION_LAG = "tierstate.invalidation.lag";

  /** Counter of full L1 clears after invalidations may have been lost; tag {@code reason}. */
  public static final String L1_RESYNCS = "tierstate.invalidation.l1.resyncs";

  /**
   * Counter of the times this node raised the namespace's trust floor (L2 entries written before it
   * read as misses) because Redis may have lost acknowledged writes; tag {@code cause}: {@code
   * redis-restarted}, {@code log-went-back}, {@code log-missing}, {@code log-owner-changed}
   * (Cluster: another node serves the log's slot), {@code master-replaced} (Cluster: a replica was
   * promoted).
   */
  public static final String TRUST_FLOOR_RAISES = "tierstate.invalidation.trust.floor.raises";

  /**
   * Counter of L2 entries read as misses because they were created before the trust floor (a
   * failover may have dropped the delete that would have removed them).
   */
  public static final String L2_UNTRUSTED = "tierstate.cache.l2.untrusted";

  /** Gauge of the Redis circuit breaker: 0 closed, 1 open, 2 half-open. */
  public static final String BREAKER_STATE = "tierstate.redis.breaker.state";

  /**
   * Counter of the reads that may run on the caller's thread (cache {@code GET}/{@code MGET},
   * session lookups, rate-limit decisions), by {@code path}: {@code caller_thread} or {@code
   * shared_connection}.
   */
  public static final String REDIS_READS = "tierstate.redis.reads";

  /** Gauge of open connections for cache reads on the caller's thread. */
  public static final String REDIS_DIRECT_CONNECTIONS = "tierstate.redis.direct.connections";

  /**
   * Counter of sessions created. Not named {@code .created}: Prometheus reserves the {@code
   * _created} suffix and would expose it as {@code tierstate_sessions_total}.
   */
  public static final String SESSIONS_CREATED = "tierstate.sessions.started";

  /**
   * Counter of sessions deleted by sign-out, by user-wide revocation or on a validation failure.
   */
  public static final String SESSIONS_DELETED = "tierstate.sessions.deleted";

  /** Counter of sessions ended because their user signed in on more than maxDevices devices. */
  public static final String SESSIONS_EVICTED = "tierstate.sessions.evicted";

  /** Counter of sessions refused by validation; tag {@code reason} = ip|user-agent. */
  public static final String SESSIONS_VALIDATION_FAILURES =
      "tierstate.sessions.validation.failures";

  /**
   * Counter of lock acquisitions; tag {@code result} = acquired|timeout (a tryAcquire that finds
   * the lock held counts as timeout).
   */
  public static final String LOCK_ACQUISITIONS = "tierstate.lock.acquisitions";

  /** Timer of the time spent acquiring a lock, successful or not. */
  public static final String LOCK_WAIT = "tierstate.lock.wait";

  /**
   * Counter of locks lost before release; tag {@code cause} = not_owner|redis_unavailable|expired.
   */
  public static final String LOCK_LOSSES = "tierstate.lock.losses";

  /** Counter of pub/sub messages published by this node. */
  public static final String PUBSUB_PUBLISHED = "tierstate.pubsub.published";

  /** Counter of pub/sub messages delivered to this node's handlers. */
  public static final String PUBSUB_RECEIVED = "tierstate.pubsub.received";

  /** Counter of pub/sub messages a handler failed on; tag {@code cause} = handler|decode. */
  public static final String PUBSUB_HANDLER_ERRORS = "tierstate.pubsub.handler.errors";

  /**
   * Counter of rate-limit decisions; tags {@code policy} (the policy's name), {@code result} =
   * allowed|denied, {@code source} = redis|local|fallback_allow|fallback_deny.
   */
  public static final String RATE_LIMIT_DECISIONS = "tierstate.ratelimit.decisions";

  /**
   * Counter of read-through loader runs; tag {@code pattern} (the registered pattern that matched).
   */
  public static final String READ_THROUGH_LOADS = "tierstate.readthrough.loads";

  /**
   * Counter of write-through operations; tags {@code operation} = write|delete, {@code result} =
   * success|failure.
   */
  public static final String WRITE_THROUGH_OPERATIONS = "tierstate.writethrough.operations";

  /**
   * Counter of warming-strategy runs; tags {@code strategy} (its name), {@code result} =
   * success|failure|skipped (skipped: another node ran it this period).
   */
  public static final String WARMING_RUNS = "tierstate.warming.runs";

  /** Counter of entries written by warming; tag {@code strategy}. */
  public static final String WARMING_ENTRIES = "tierstate.warming.entries";

  /** Counter of namespace-version bumps by this node. */
  public static final String NAMESPACE_BUMPS = "tierstate.namespace.bumps";

  /**
   * Counter of write-behind writes; tags {@code name}, {@code result} =
   * queued|write_through|rejected.
   */
  public static final String WRITE_BEHIND_WRITES = "tierstate.writebehind.writes";

  /**
   * Counter of write-behind entries (after coalescing by key) written by the batch writer; tag
   * {@code name}.
   */
  public static final String WRITE_BEHIND_DELIVERED = "tierstate.writebehind.delivered";

  /** Counter of successful batch writer calls; tag {@code name}. */
  public static final String WRITE_BEHIND_BATCHES = "tierstate.writebehind.batches";

  /** Counter of batch writer retries after a failure; tag {@code name}. */
  public static final String WRITE_BEHIND_RETRIES = "tierstate.writebehind.retries";

  /** Counter of write-behind entries moved to the dead-letter stream; tag {@code name}. */
  public static final String WRITE_BEHIND_DEAD_LETTERS = "tierstate.writebehind.dead.letters";

  /**
   * Counter of pending entries this node claimed from another (dead or slow) node; tag {@code
   * name}.
   */
  public static final String WRITE_BEHIND_CLAIMED = "tierstate.writebehind.claimed";

  /**
   * Counter, tag {@code name}: writes this node had queued (Redis acknowledged them) that Redis
   * then lost (a failover to a replica that had not received them, a restart without persistence);
   * an upper bound, some may have been written before the loss.
   */
  public static final String WRITE_BEHIND_POSSIBLY_LOST = "tierstate.writebehind.possibly.lost";

  /** Gauge of entries in the write-behind stream not yet written (XLEN); tag {@code name}. */
  public static final String WRITE_BEHIND_QUEUE_DEPTH = "tierstate.writebehind.queue.depth";

  /**
   * Gauge of the age in seconds of the oldest write-behind entry not yet written; tag {@code name}.
   */
  public static final String WRITE_BEHIND_LAG = "tierstate.writebehind.lag";

  /**
   * Gauge of how long, in seconds, the batch a write-behind is writing has been failing because its
   * batch writer's target is unreachable (see {@code WriteBehindOptions.withUnreachableWhen}); 0
   * while it is not. Tag {@code name}.
   */
  public static final String WRITE_BEHIND_UNREACHABLE = "tierstate.writebehind.unreachable";

  private MeterNames() {}

  /**
   * Counter of cached entries sampled by the consistency auditor; tags {@code outcome} =
   * consistent|stale_in_window|inconsistent|error, {@code tier} = l1|l2.
   */
  public static final String AUDIT_SAMPLES = "tierstate.audit.samples";

  /** Timer of one audit sample: the cache read and the verifier call (the auditor's cost). */
  public static final String AUDIT_SAMPLE_DURATION = "tierstate.audit.sample.duration";

  /** Gauge of consistent over decided audit samples in the audit window. */
  public static final String AUDIT_RATIO = "tierstate.audit.consistency.ratio";

  /** Gauge of the audit window's consistency ratio as nines ({@code 3} for 99.9%). */
  public static final String AUDIT_NINES = "tierstate.audit.consistency.nines";

  /** Gauge of stale audit samples waiting for their re-check. */
  public static final String AUDIT_PENDING = "tierstate.audit.pending";

  /** Counter of inconsistent entries the auditor invalidated; tag {@code result} = ok|failed. */
  public static final String AUDIT_REPAIRS = "tierstate.audit.repairs";
}
