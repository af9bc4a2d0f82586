package io.tierstate.server.events;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One open stream: the events waiting to be written to it. Filled by the invalidation thread
 * (never blocking it), drained by the request's own thread. Thread-safe.
 */
final class EventStream {
  /** The most events waiting for a slow client; beyond that it is told to resync instead. */
  static final int CAPACITY = 256;

  /** Something to write, or a reason to stop. */
  sealed interface Item {}

  /** An invalidation for this stream's tenant. */
  record Invalidate(Notice notice) implements Item {}

  /** Events were dropped or may have been lost: the client should refetch everything it shows. */
  record Resync(String reason) implements Item {}

  /** The server is stopping. */
  record Shutdown() implements Item {}

  private final UUID tenantId;
  private final UUID userId;
  private final String sessionId;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>(CAPACITY);
  private volatile boolean recheck;
  private volatile boolean platformAdmin;

  EventStream(UUID tenantId, UUID userId, String sessionId, boolean platformAdmin) {
    this.tenantId = tenantId;
    this.userId = userId;
    this.sessionId = sessionId;
    this.platformAdmin = platformAdmin;
  }

  UUID tenantId() {
    return tenantId;
  }

  UUID userId() {
    return userId;
  }

  String sessionId() {
    return sessionId;
  }

  /** Whether the stream's user is a platform administrator, who hears of every tenant's changes. */
  boolean platformAdmin() {
    return platformAdmin;
  }

  void platformAdmin(boolean value) {
    platformAdmin = value;
  }

  /** Queues an item without blocking; a full queue is replaced by one resync. */
  void offer(Item item) {
    if (item instanceof Invalidate invalidate && concernsOwnAccess(invalidate.notice())) {
      recheck = true; // the user's own account or tenant changed: their session or status may have ended
    }
    if (!queue.offer(item)) {
      queue.clear();
      queue.offer(item instanceof Shutdown ? item : new Resync("too many events for this client"));
    }
  }

  private boolean concernsOwnAccess(Notice notice) {
    return userId.toString().equals(notice.id())
        || (notice.entity().equals("tenant") && tenantId.toString().equals(notice.id()));
  }

  /** The next item, or null after {@code timeoutMillis} without one. */
  @Nullable Item next(long timeoutMillis) throws InterruptedException {
    return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Whether the session should be checked again now; clears the flag. */
  boolean takeRecheck() {
    boolean value = recheck;
    recheck = false;
    return value;
  }
}
