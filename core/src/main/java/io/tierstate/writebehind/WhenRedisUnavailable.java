package io.tierstate.writebehind;

/** What {@link WriteBehind#write} does when the write cannot be queued in Redis. */
public enum WhenRedisUnavailable {
  /** Calls the {@link BatchWriter} synchronously with the single entry, then caches the value. */
  WRITE_THROUGH,
  /** Throws {@link io.tierstate.RedisUnavailableException} and changes nothing. */
  REJECT
}
