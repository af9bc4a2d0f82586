package io.tierstate.internal.cache;

import io.tierstate.cache.InvalidationEvent;
import io.tierstate.keys.KeyPattern;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node does with the invalidation log's entries: drops what other nodes invalidated from
 * L1, wakes the callers waiting for a lease, and tells the listeners. A node's own entries leave
 * its L1 alone (it already applied them, and a fill's entry must not drop the value the fill just
 * installed). Called on the log's listener thread.
 */
final class InvalidationReceiver implements InvalidationLog.Handler {
  private static final Logger log = LoggerFactory.getLogger(InvalidationReceiver.class);

  private final L1 l1;
  private final L2 l2;
  private final LeaseWaiters waiters;
  private final InvalidationSender sender;
  private final InvalidationEvents events;
  private final CacheMeters meters;
  private final String nodeId;

  InvalidationReceiver(
      L1 l1,
      L2 l2,
      LeaseWaiters waiters,
      InvalidationSender sender,
      InvalidationEvents events,
      CacheMeters meters,
      String nodeId) {
    this.l1 = l1;
    this.l2 = l2;
    this.waiters = waiters;
    this.sender = sender;
    this.events = events;
    this.meters = meters;
    this.nodeId = nodeId;
  }

  @Override
  public void onEntry(LogEntry entry) {
    boolean local = nodeId.equals(entry.origin());
    switch (entry.kind()) {
      case KEYS, FILL -> {
        for (String key : entry.keys()) {
          if (!local) {
            l1.invalidate(key);
          }
          waiters.wake(key);
        }
        if (!local && entry.kind() == LogEntry.Kind.KEYS) {
          meters.invalidationsReceived.increment();
          if (entry.tagsOnly()) {
            l1.invalidateTagged(entry.tags().toArray(new String[0]));
          } else if (!entry.tags().isEmpty()) {
            l1.invalidateUnlisted(entry.tags().toArray(new String[0]));
          }
          events.emit(
              entry.tags().isEmpty() ? InvalidationEvent.Kind.KEYS : InvalidationEvent.Kind.TAGS,
              entry.keys(),
              entry.tags(),
              null,
              entry.origin(),
              false);
        }
      }
      case RELEASE -> entry.keys().forEach(waiters::wake);
      case PATTERN -> {
        if (!local) {
          meters.invalidationsReceived.increment();
          l1.invalidateIf(key -> KeyPattern.matches(entry.pattern(), key));
          events.emit(
              InvalidationEvent.Kind.PATTERN,
              List.of(),
              List.of(),
              entry.pattern(),
              entry.origin(),
              false);
        }
      }
    }
  }

  @Override
  public void onLost(String reason) {
    log.warn("Invalidations may have been lost ({}); clearing L1", reason);
    meters.resync(reason);
    l1.clear();
    events.emit(InvalidationEvent.Kind.L1_RESYNC, List.of(), List.of(), null, nodeId, true);
  }

  @Override
  public void onFlowing(boolean flowing) {
    if (flowing) {
      // The listener just read from Redis: it is reachable again, so stop short-circuiting.
      l2.markReachable();
      l1.trust();
      sender.replayPending();
    } else {
      l1.distrust(System.nanoTime());
    }
  }
}
