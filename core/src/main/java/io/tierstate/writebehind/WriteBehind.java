package io.tierstate.writebehind;

import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateException;
import io.tierstate.cache.CacheOptions;
import java.time.Duration;

/**
 * Durable write-behind for one kind of value: {@link #write} puts the value in the cache at once
 * and appends it to a Redis Stream ({@code <namespace>:wb:{<name>}}); a background thread on every
 * node reads the stream as a member of one consumer group, coalesces the entries of a batch by key
 * (the latest version wins), hands them to the {@link BatchWriter}, and only then acknowledges and
 * deletes them.
 *
 * <p><b>Delivery guarantees.</b> A write that {@link #write} accepted is in Redis before the call
 * returns, and stays there until a batch writer call that covered it returned normally, or it was
 * moved to the dead-letter stream {@code <namespace>:wb:{<name>}:dead} after {@link
 * WriteBehindOptions#maxRetries()} failed retries. Entries a node read but did not settle (it died,
 * or lost Redis) are claimed by another node once idle for {@link WriteBehindOptions#claimIdle()},
 * or re-read by the same node id when it comes back. Each write gets a per-key version; the highest
 * version written successfully per key is recorded together with the acknowledgement, atomically,
 * and entries at or below it are never handed to the writer again (so an older value never
 * overwrites a newer one delivered before). That record is kept for {@link
 * WriteBehindOptions#settledRetention()} after the key was last settled, then trimmed, so Redis
 * memory follows the keys written recently, not every key ever written; versions come from one
 * sequence per stream, so a trimmed key's next write still gets a higher version. Delivery is
 * <em>at least once</em>: a (key, version) is handed to the writer a second time only when a writer
 * call succeeded but its settlement never reached Redis (the node died or lost Redis in between,
 * and the settlement could not be retried), or when another node claimed a batch that was still
 * being written because it took longer than {@code claimIdle}. A failed call is retried with
 * exactly the same batch.
 *
 * <p>Thread-safe: {@link #write} may be called from any number of threads.
 *
 * @param <T> the type of the values
 */
public interface WriteBehind<T> extends AutoCloseable {
  /** This write-behind's name. */
  String name();

  /** The options it runs with. */
  WriteBehindOptions options();

  /**
   * Caches {@code value} under {@code key} and queues it durably for the {@link BatchWriter}. When
   * it returns normally the write is in Redis (or, with {@link WhenRedisUnavailable#WRITE_THROUGH}
   * while Redis is unavailable, already written by the batch writer) and visible in the cache.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code key} is blank or {@code value} is not a {@code T}
   * @throws IllegalStateException if this write-behind is closed
   * @throws RedisUnavailableException if Redis is unavailable and the policy is {@link
   *     WhenRedisUnavailable#REJECT}; nothing was cached or queued
   * @throws TierstateException if Redis is unavailable, the policy is {@link
   *     WhenRedisUnavailable#WRITE_THROUGH} and the batch writer failed; nothing was cached
   * @throws io.tierstate.codec.CodecException if the value cannot be encoded
   */
  void write(String key, T value, CacheOptions cacheOptions);

  /**
   * Writes now what this node can read from the stream, and waits until it is written (or
   * dead-lettered), at most 30 seconds.
   *
   * @throws IllegalStateException if this write-behind is closed
   * @throws TierstateException if the stream was not drained within 30 seconds (Redis unreachable,
   *     or a slow batch writer)
   */
  void flush();

  /**
   * Writes now what this node can read from the stream, and waits until it is written (or
   * dead-lettered), at most {@code timeout}.
   *
   * @return whether the drain completed within {@code timeout}
   * @throws IllegalStateException if this write-behind is closed
   */
  boolean flush(Duration timeout);

  /**
   * Writes what this node has read and what it can still read (waiting at most 10 seconds, and not
   * at all while Redis is unavailable), then stops its thread. Entries left unwritten stay in Redis
   * for other nodes, or for this node id when it starts again. Closing again does nothing.
   */
  @Override
  void close();
}
