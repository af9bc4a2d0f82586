package io.tierstate.server.events;

import io.tierstate.cache.InvalidationEvent;
import io.tierstate.server.http.ApiError;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The open streams of this node, by tenant, and the fan-out of invalidations to them. Every node
 * hears every invalidation, its own and the other nodes', through Tierstate's invalidation log,
 * so each node only serves its own streams.
 *
 * <p>A tenant's notices reach that tenant's streams only, with one exception: a notice about a
 * tenant itself (entity {@code tenant}: created, renamed, another plan or status) also reaches
 * every platform administrator's stream. Notices carry entity, id, tenant and tags, never cache
 * keys. Thread-safe.
 */
final class EventHub implements Consumer<InvalidationEvent> {
  private final Map<UUID, Set<EventStream>> byTenant = new ConcurrentHashMap<>();
  private final Set<EventStream> platformAdmins = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Integer> perUser = new ConcurrentHashMap<>();
  private final int maxPerUser;

  EventHub(int maxPerUser) {
    this.maxPerUser = maxPerUser;
  }

  /**
   * Registers a stream.
   *
   * @throws ApiError 429 {@code too_many_streams} if the user already has the most streams open on this node
   */
  EventStream open(UUID tenantId, UUID userId, String sessionId, boolean platformAdmin) {
    perUser.compute(userId, (user, open) -> {
      int count = open == null ? 0 : open;
      if (count >= maxPerUser) {
        throw new ApiError(429, "too_many_streams", "you already have " + count
            + " event streams open; close one (each browser tab needs only one) and retry");
      }
      return count + 1;
    });
    EventStream stream = new EventStream(tenantId, userId, sessionId, platformAdmin);
    byTenant.computeIfAbsent(tenantId, t -> ConcurrentHashMap.newKeySet()).add(stream);
    if (platformAdmin) {
      platformAdmins.add(stream);
    }
    return stream;
  }

  /** Records whether a stream's user is (still) a platform administrator. */
  void platformAdmin(EventStream stream, boolean platformAdmin) {
    stream.platformAdmin(platformAdmin);
    if (platformAdmin) {
      platformAdmins.add(stream);
    } else {
      platformAdmins.remove(stream);
    }
  }

  /** Unregisters a stream; idempotent per stream. */
  void close(EventStream stream) {
    Set<EventStream> streams = byTenant.get(stream.tenantId());
    platformAdmins.remove(stream);
    if (streams != null && streams.remove(stream)) {
      perUser.computeIfPresent(stream.userId(), (user, open) -> open <= 1 ? null : open - 1);
    }
  }

  /** How many streams are open on this node. */
  int openStreams() {
    return byTenant.values().stream().mapToInt(Set::size).sum();
  }

  /** Runs on Tierstate's invalidation thread: only queues, never blocks. */
  @Override
  public void accept(InvalidationEvent event) {
    if (event.kind() == InvalidationEvent.Kind.L1_RESYNC || TenantNotices.touchesEveryTenant(event)) {
      // Invalidations may have been lost, or one spans tenants: everyone refetches, nobody learns details.
      EventStream.Resync resync = new EventStream.Resync(
          event.kind() == InvalidationEvent.Kind.L1_RESYNC ? "invalidations may have been lost" : "caches were cleared");
      byTenant.values().forEach(streams -> streams.forEach(stream -> stream.offer(resync)));
      return;
    }
    TenantNotices.of(event).forEach((tenant, notice) -> {
      Set<EventStream> streams = byTenant.get(tenant);
      if (streams != null) {
        EventStream.Invalidate item = new EventStream.Invalidate(notice);
        streams.forEach(stream -> stream.offer(item));
      }
      if (notice.entity().equals("tenant") && !platformAdmins.isEmpty()) {
        EventStream.Invalidate item = new EventStream.Invalidate(
            new Notice(notice.entity(), notice.id(), notice.tenantId(), notice.tags(), notice.pattern(), notice.origin()));
        platformAdmins.stream().filter(stream -> !stream.tenantId().equals(tenant)).forEach(stream -> stream.offer(item));
      }
    });
  }

  /** Tells every stream to end (server stopping). */
  void shutdown() {
    EventStream.Shutdown shutdown = new EventStream.Shutdown();
    byTenant.values().forEach(streams -> streams.forEach(stream -> stream.offer(shutdown)));
  }
}
