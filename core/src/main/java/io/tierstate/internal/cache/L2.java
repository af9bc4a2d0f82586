package io.tierstate.internal.cache;

import io.tierstate.RedisUnavailableException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the cache asks of its shared tier. Every write here also appends the invalidation log entry
 * that tells the other nodes, ordered after the write (see {@link RedisTier}): a peer that reads
 * the entry finds the write done. {@link RedisTier} is the one implementation; tests use a fake.
 *
 * <p>Every method throws {@link RedisUnavailableException} when Redis cannot serve.
 */
interface L2 {

  // --- reads

  /** The entry's bytes, or null. */
  byte @Nullable [] get(String key);

  /** One element per key, in order, null where there is no entry: one round trip. */
  List<byte @Nullable []> getAll(List<String> keys);

  /**
   * What Redis holds for a key, for inspection: its bytes, PTTL and fence, and the first of the
   * asked tags whose set lists the key (null if none does, or none was asked).
   */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Stored(byte @Nullable [] value, long pttlMillis, long fence, @Nullable String tag) {}

  /**
   * The entry's bytes, remaining TTL and fence counter, and which of {@code tags} (in order) lists
   * it, in one round trip.
   */
  Stored inspect(String key, List<String> tags);

  // --- writes, each logged for the other nodes

  /** One encoded entry to write. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Write(String key, byte[] bytes, long ttlMillis) {}

  /**
   * Writes the entries (moving their fences) and registers them under the tags, then logs their
   * keys.
   */
  void setAndLog(List<Write> writes, String[] tags);

  /** Deletes the keys (moving their fences), then logs them. */
  void deleteAndLog(List<String> keys);

  /**
   * Moves the tags' versions, deletes their members and {@code alsoKeys} and logs them in one entry
   * (or the tags alone when there were no keys); adds the keys it deleted to {@code invalidated}
   * and returns how many entries existed.
   */
  long deleteTaggedAndLog(String[] tags, List<String> alsoKeys, List<String> invalidated);

  /**
   * Moves the pattern epoch, deletes the matching entries with SCAN, then logs the pattern; returns
   * how many existed.
   */
  long deleteMatchingAndLog(String pattern);

  /** The keys of the entries matching the pattern, found with SCAN (never KEYS). */
  List<String> keysMatching(String pattern);

  // --- the load protocol

  /** What the lease request answered; versions are "" where a version key does not exist. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Acquired(
      byte @Nullable [] value,
      byte[] fence,
      boolean granted,
      long leasePttlMillis,
      List<String> versions) {}

  /**
   * Reads the value and fence and tries to take the lease (even over a present value when {@code
   * force}), with the versions a fill must find unchanged, in one round trip.
   */
  Acquired acquire(String key, String token, boolean force, String[] tags);

  /** Outcome of a fill. */
  enum FillResult {
    WRITTEN,
    FENCED,
    LEASE_LOST,
    RACED_INVALIDATION
  }

  /**
   * Writes a loaded value if the lease is still held and nothing was written or invalidated since
   * it was taken, then logs a fill entry (whatever the outcome: it wakes the waiters).
   */
  FillResult fillAndLog(
      String key, String token, Acquired acquired, byte[] bytes, long ttlMillis, String[] tags);

  /** Extends the lease while its loader runs; false if it was lost. */
  boolean renew(String key, String token);

  /** Gives the lease up without a fill, then logs a release entry that wakes the waiters. */
  void releaseAndLog(String key, String token);

  /** Closes the circuit breaker: another connection to the same server just succeeded. */
  void markReachable();
}
