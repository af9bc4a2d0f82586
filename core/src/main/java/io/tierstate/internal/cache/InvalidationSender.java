package io.tierstate.internal.cache;

import io.tierstate.RedisUnavailableException;
import io.tierstate.cache.InvalidationEvent;
import io.tierstate.cache.Invalidator;
import io.tierstate.keys.CacheKeys;
import io.tierstate.keys.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's invalidations: each deletes in L2 and logs for the other nodes, then drops the keys
 * from this node's L1 and tells the listeners. While Redis is unreachable it keeps what it could
 * not send ({@link PendingInvalidations}) and {@link #replayPending sends it} once Redis is back.
 * Thread-safe.
 */
final class InvalidationSender {
  private static final Logger log = LoggerFactory.getLogger(InvalidationSender.class);

  private final L1 l1;
  private final L2 l2;
  private final CacheMeters meters;
  private final InvalidationEvents events;
  private final String nodeId;
  private final PendingInvalidations pending = new PendingInvalidations();

  InvalidationSender(L1 l1, L2 l2, CacheMeters meters, InvalidationEvents events, String nodeId) {
    this.l1 = l1;
    this.l2 = l2;
    this.meters = meters;
    this.events = events;
    this.nodeId = nodeId;
  }

  void invalidateKeys(String... keys) {
    List<String> list = List.of(keys);
    list.forEach(CacheKeys::requireValidKey);
    if (list.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      l2.deleteAndLog(list);
    } catch (RedisUnavailableException e) {
      pending.addKeys(list);
    } finally {
      meters.operation("delete").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    list.forEach(l1::invalidate);
    events.emit(InvalidationEvent.Kind.KEYS, list, List.of(), null, nodeId, true);
  }

  long invalidateTags(String... tags) {
    return invalidate(List.of(), tags);
  }

  /** Keys and tags as one change: one log entry, one event (see {@link Invalidator#invalidate}). */
  long invalidate(List<String> keys, String[] tags) {
    keys.forEach(CacheKeys::requireValidKey);
    for (String tag : tags) {
      CacheKeys.requireValidTag(tag);
    }
    if (tags.length == 0) {
      invalidateKeys(keys.toArray(String[]::new));
      return 0;
    }
    long start = System.nanoTime();
    long deleted = 0;
    List<String> invalidated = new ArrayList<>();
    try {
      deleted = l2.deleteTaggedAndLog(tags, keys, invalidated);
    } catch (RedisUnavailableException e) {
      pending.addKeys(keys);
      pending.addTags(tags);
      invalidated.addAll(keys);
    } finally {
      meters.operation("invalidateTags").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    invalidated.forEach(l1::invalidate);
    l1.invalidateTagged(tags);
    events.emit(InvalidationEvent.Kind.TAGS, invalidated, List.of(tags), null, nodeId, true);
    return deleted;
  }

  /** Like {@link #invalidate}, but Redis failures are thrown, never held back. */
  void invalidateDurably(List<String> keys, List<String> tags) {
    keys.forEach(CacheKeys::requireValidKey);
    tags.forEach(CacheKeys::requireValidTag);
    String[] tagArray = tags.toArray(new String[0]);
    List<String> tagged = new ArrayList<>();
    long start = System.nanoTime();
    try {
      if (!keys.isEmpty()) {
        l2.deleteAndLog(keys);
      }
      if (tagArray.length > 0) {
        l2.deleteTaggedAndLog(tagArray, List.of(), tagged);
      }
    } finally {
      // This node drops its copies even when Redis failed: the caller sends it all again.
      meters.operation("invalidateDurably").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      keys.forEach(l1::invalidate);
      tagged.forEach(l1::invalidate);
      if (tagArray.length > 0) {
        l1.invalidateTagged(tagArray);
      }
    }
    if (!keys.isEmpty()) {
      events.emit(InvalidationEvent.Kind.KEYS, keys, List.of(), null, nodeId, true);
    }
    if (tagArray.length > 0) {
      events.emit(InvalidationEvent.Kind.TAGS, tagged, tags, null, nodeId, true);
    }
  }

  long invalidatePattern(String pattern) {
    CacheKeys.requireValidPattern(pattern);
    long start = System.nanoTime();
    long deleted = 0;
    try {
      deleted = l2.deleteMatchingAndLog(pattern);
    } catch (RedisUnavailableException e) {
      pending.addPattern(pattern);
    } finally {
      meters.operation("invalidatePattern").record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    l1.invalidateIf(key -> KeyPattern.matches(pattern, key));
    events.emit(InvalidationEvent.Kind.PATTERN, List.of(), List.of(), pattern, nodeId, true);
    return deleted;
  }

  /**
   * Keys written on this node only (Redis was unreachable): the other nodes must drop them later.
   */
  void holdBack(List<String> keys) {
    pending.addKeys(keys);
  }

  /**
   * Sends to L2 and the other nodes what this node could not send while Redis was unreachable. This
   * node's L1 and listeners were told when the change was made, so only Redis is involved. It does
   * not wait for the breaker to close: while the breaker is open its first call is refused at once,
   * and once the open period is over it is the breaker's probe. (Waiting for a closed breaker could
   * wait forever: nothing else on an idle node may call Redis to close it.)
   */
  void replayPending() {
    if (pending.isEmpty()) {
      return;
    }
    PendingInvalidations.Snapshot snapshot = pending.drain();
    try {
      // Each step also drops this node's L1 copies again: between Redis coming back and this
      // replay, this node may have read the values its own held-back writes replaced from L2 into
      // L1, and the log entries below are its own, which its listener does not apply to its L1.
      if (snapshot.overflowed()) {
        log.warn(
            "Too many invalidations were pending while Redis was unreachable; invalidating the whole namespace");
        l2.deleteMatchingAndLog("*");
        l1.clear();
      }
      if (!snapshot.keys().isEmpty()) {
        l2.deleteAndLog(snapshot.keys());
        snapshot.keys().forEach(l1::invalidate);
      }
      if (!snapshot.tags().isEmpty()) {
        String[] tags = snapshot.tags().toArray(new String[0]);
        List<String> members = new ArrayList<>();
        l2.deleteTaggedAndLog(tags, List.of(), members);
        members.forEach(l1::invalidate);
        l1.invalidateTagged(tags);
      }
      for (String pattern : snapshot.patterns()) {
        l2.deleteMatchingAndLog(pattern);
        l1.invalidateIf(key -> KeyPattern.matches(pattern, key));
      }
    } catch (RuntimeException e) {
      // Sending again what already went through is harmless: invalidations are idempotent.
      pending.restore(snapshot);
    }
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }
}
