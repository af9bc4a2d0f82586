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
 * moved to the dead-letter stream {@code <namespace>:wb:{<name>}:dead}: after the writer rejected
 * its batch {@link WriteBehindOptions#maxRetries()} + 1 times, or after the writer's target had
 * been unreachable for longer than {@link WriteBehindOptions#outageTolerance()} (5 minutes by
 * default; {@link WriteBehindOptions#unreachableWhen()} tells the two kinds of failure apart, and
 * failures while the target is unreachable do not count against {@code maxRetries}). So a database
 * outage shorter than the tolerance dead-letters nothing: the batch is retried until the database
 * is back, and health reports the write-behind waiting ({@code writebehind.writer} DEGRADED).
 * Entries a node read but did not settle (it died, or lost Redis) are claimed by another node once
 * idle for {@link WriteBehindOptions#claimIdle()}, or re-read by the same node id when it comes
 * back; a node still retrying a batch takes its entries back before every retry, so they are not
 * claimed from it.
 *
 * <p><b>Versions and order.</b> Each write gets a version (the Redis server's clock in
 * microseconds, made strictly increasing per stream), so versions follow the order in which Redis
 * accepted the writes, across nodes and across a failover. Before every attempt to write a batch,
 * one script drops the keys already written at a version at least as new, or handed newer by any
 * node, and records the rest as handed: no attempt hands the {@link BatchWriter} a version older
 * than one handed before, while Redis keeps what it acknowledged. Two nodes can still hand two
 * versions of one key at overlapping times, and after a {@link WhenRedisUnavailable#WRITE_THROUGH}
 * or a failover an older queued entry can be handed after a newer value: take the versions with
 * {@link BatchWriter#versioned} and guard the upsert with them. The record of what was written is
 * kept for {@link WriteBehindOptions#settledRetention()} after the key was last settled, then
 * trimmed, so Redis memory follows the keys written recently. Delivery is <em>at least once</em>: a
 * (key, version) is handed to the writer a second time only when a writer call succeeded but its
 * settlement never reached Redis (the node died or lost Redis in between, and the settlement could
 * not be retried), or when another node claimed a batch that was still being written because it
 * took longer than {@code claimIdle}. A failed call is retried with the same batch, minus the keys
 * another node handed newer meanwhile.
 *
 * <p><b>Redis data loss.</b> Entries Redis acknowledged and then lost (a failover to a replica that
 * had not received them, a restart without persistence) never reach the writer. Each node notices
 * when the stream's last version went below one Redis gave it, counts its writes that may be lost
 * in {@code tierstate.writebehind.possibly.lost} and logs a warning with the count.
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
   * <p>A write is never both queued and written through: the append expires half the command
   * timeout after it was sent (Redis refuses it later), and the fallback runs only once that
   * deadline has passed, so a write whose append timed out takes the command timeout.
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
