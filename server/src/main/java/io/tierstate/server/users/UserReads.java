package io.tierstate.server.users;

import io.tierstate.server.api.CacheRegions;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.auth.AccessCache;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * User reads through Tierstate, and the invalidations that keep them correct.
 *
 * <table>
 *   <caption>Keys, tags and lifetimes</caption>
 *   <tr><th>entry</th><th>key</th><th>tags</th><th>TTL</th></tr>
 *   <tr><td>one user</td><td>{@code tenant:{t}:user:{u}}</td>
 *       <td>{@code tenant:{t}:user:{u}}, {@code tenant:{t}:users}</td><td>5 min (absent: 30 s)</td></tr>
 *   <tr><td>a list page</td><td>{@code tenant:{t}:user:list:{hash of the filters}}</td>
 *       <td>{@code tenant:{t}:users}</td><td>2 min</td></tr>
 * </table>
 *
 * <p>A change to a user invalidates {@code tenant:{t}:user:{u}} (their detail, and their access
 * entry, which {@link AccessCache} tags the same way) and {@code tenant:{t}:users} (every list page
 * of the tenant), after the transaction committed. Both TTLs are only a safety net; entries may be
 * served stale for up to 5 minutes while PostgreSQL fails ({@code staleIfError}).
 *
 * <p>Thread-safe.
 */
final class UserReads {
  static final Duration USER_TTL = Duration.ofMinutes(5);
  static final Duration LIST_TTL = Duration.ofMinutes(2);
  static final Duration ABSENT_TTL = Duration.ofSeconds(30);
  static final Duration STALE_IF_ERROR = Duration.ofMinutes(5);

  private final Tierstate tierstate;
  private final UserStore store;
  private final boolean caching;

  UserReads(Tierstate tierstate, UserStore store, DataCaching caching) {
    this.tierstate = tierstate;
    this.store = store;
    this.caching = caching.enabled();
  }

  /** {@code tenant:{t}:users}: every cached list page and user of the tenant. */
  static String usersTag(UUID tenantId) {
    return "tenant:" + tenantId + ":users";
  }

  /** {@code tenant:{t}:user:{u}}: every cached entry about one user (detail and access). */
  static String userTag(UUID tenantId, UUID userId) {
    return AccessCache.userTag(tenantId, userId);
  }

  static String userKey(UUID tenantId, UUID userId) {
    return CacheKeys.tenant(tenantId).entity("user", userId);
  }

  static String listKey(UUID tenantId, UserQuery query) {
    return CacheKeys.tenant(tenantId).list("user", query.cacheFilters());
  }

  /**
   * Every cached user: {@code tenant:*:user:} and a UUID (36 characters), which leaves out the
   * fields under a user ({@code :permissions}, {@code :intl-prefs}).
   */
  static final String ALL_USERS = "tenant:*:user:" + "?".repeat(36);

  /**
   * Lets the consistency auditor check cached users against PostgreSQL: a cached user matches when
   * the row reads the same (its version, status, roles and the rest). A user gone since does not.
   */
  void audit() {
    tierstate.audit().verify(ALL_USERS, UserView.class, (key, cached) ->
        store.find(cached.tenantId(), cached.id()).map(cached::equals).orElse(false));
  }

  Optional<UserView> user(UUID tenantId, UUID userId) {
    if (!caching) {
      return store.find(tenantId, userId);
    }
    @Nullable UserView view = unwrap(() -> tierstate.cache().getOrLoad(userKey(tenantId, userId), UserView.class,
        () -> store.find(tenantId, userId).orElse(null),
        CacheOptions.ttl(USER_TTL).jitter(0.1).region(CacheRegions.USERS).tags(userTag(tenantId, userId), usersTag(tenantId))
            .cacheAbsent(ABSENT_TTL).staleIfError(STALE_IF_ERROR)));
    return Optional.ofNullable(view);
  }

  UserPage list(UUID tenantId, UserQuery query) {
    if (!caching) {
      return store.list(tenantId, query);
    }
    UserPage page = unwrap(() -> tierstate.cache().getOrLoad(listKey(tenantId, query), UserPage.class,
        () -> store.list(tenantId, query),
        CacheOptions.ttl(LIST_TTL).jitter(0.1).region(CacheRegions.USERS).tags(usersTag(tenantId)).staleIfError(STALE_IF_ERROR)));
    if (page == null) {
      throw new IllegalStateException("the list loader never returns null");
    }
    return page;
  }

  /**
   * Runs a cached read; a loader's own failure (PostgreSQL unreachable: 503) is rethrown as it is,
   * so that it maps to the same answer with caching on or off.
   */
  private static <T> @Nullable T unwrap(Supplier<@Nullable T> read) {
    try {
      return read.get();
    } catch (CacheLoadException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * After a committed change to one user: drops their detail, every list page of the tenant and,
   * when {@code accessChanged} (roles or status), their cached permissions, on every node. Cached
   * entries are dropped even with caching off, so that a node with it on never serves stale data.
   */
  void changed(UUID tenantId, UUID userId, boolean accessChanged) {
    List<String> tags = List.of(userTag(tenantId, userId), usersTag(tenantId));
    if (accessChanged) {
      // The access entry is covered by the user tag too; it is dropped by key as well, so that no
      // tag bookkeeping can miss it, in the same invalidation: one change, one event on the streams.
      tierstate.invalidator().invalidate(List.of(AccessCache.key(tenantId, userId)), tags);
    } else {
      tierstate.invalidator().invalidate(List.of(), tags);
    }
  }
}
