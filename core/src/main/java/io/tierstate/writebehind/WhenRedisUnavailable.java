package io.tierstate.writebehind;

/**
 * What {@link WriteBehind#write} does when the write cannot be queued in Redis. Either applies only
 * once the append is known never to run: the circuit breaker skipped it, Redis refused it as past
 * its deadline (half the command timeout after it was sent), or it failed or timed out and that
 * deadline has passed since. So a value is never both written through and delivered from the queue
 * later.
 */
public enum WhenRedisUnavailable {
  /**
   * Calls the {@link BatchWriter} synchronously with the single entry, then caches the value. The
   * entry's version is newer than any Redis gave out before and older than any it gives out later
   * (the node's estimate of the Redis clock), so a writer guarding its upsert with versions refuses
   * an older queued entry of the key handed after it.
   */
  WRITE_THROUGH,
  /** Throws {@link io.tierstate.RedisUnavailableException} and changes nothing. */
  REJECT
}
