package io.tierstate.server.auth;

import io.tierstate.server.api.CacheRegions;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.db.Jdbc;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Each user's roles, permissions and status, and their tenant's standing (slug, name, plan,
 * status), read on every authenticated request from L1/L2 at {@code
 * tenant:{t}:user:{u}:permissions} (5-minute TTL) and loaded from PostgreSQL on a miss (one
 * loader per key across nodes). Entries are tagged {@code tenant:{t}:user:{u}}, {@code
 * tenant:{t}:access} and {@code tenant:{t}:tenant:{t}}.
 *
 * <p><b>After a change, invalidate:</b> a user's roles or status changed: {@link
 * #invalidateUser}; a role's permissions changed: {@link #invalidateTenant} (or the tag on every
 * tenant for a built-in role); the tenant's own row changed: {@link #tenantChanged}. The
 * invalidation reaches every node, so the next request anywhere sees the new permissions.
 *
 * <p>Thread-safe.
 */
public final class AccessCache {
  /** How long an entry lives without invalidation. */
  public static final Duration TTL = Duration.ofMinutes(5);

  private final Tierstate tierstate;
  private final UserAccounts accounts;

  /** Creates the cache over {@code tierstate}, loading from {@code db}. */
  public AccessCache(Tierstate tierstate, Jdbc db) {
    this.tierstate = tierstate;
    this.accounts = new UserAccounts(db);
  }

  /** The cache key of a user's access: {@code tenant:{t}:user:{u}:permissions}. */
  public static String key(UUID tenantId, UUID userId) {
    return CacheKeys.tenant(tenantId).user(userId).field("permissions");
  }

  /** The tag on every entry of one user: {@code tenant:{t}:user:{u}}. */
  public static String userTag(UUID tenantId, UUID userId) {
    return "tenant:" + tenantId + ":user:" + userId;
  }

  /** The tag on every access entry of a tenant: {@code tenant:{t}:access}. */
  public static String tenantTag(UUID tenantId) {
    return "tenant:" + tenantId + ":access";
  }

  /**
   * The tag of everything derived from a tenant's own row, {@code tenant:{t}:tenant:{t}}: the
   * tenant's standing in each of its users' access entries. Read as an entity name it is "the
   * tenant t", so its invalidation reaches event streams as {@code {"entity":"tenant","id":t}}.
   */
  public static String tenantRecordTag(UUID tenantId) {
    return CacheKeys.tenant(tenantId).entity("tenant", tenantId);
  }

  /**
   * The user's access, or null if the user does not exist in this tenant (remembered for 30 s).
   *
   * @throws io.tierstate.server.db.DatabaseException if it must be loaded and PostgreSQL fails
   */
  public @Nullable UserAccess get(UUID tenantId, UUID userId) {
    return tierstate.cache().getOrLoad(key(tenantId, userId), UserAccess.class,
        () -> accounts.access(tenantId, userId).orElse(null),
        CacheOptions.ttl(TTL)
            .region(CacheRegions.ACCESS)
            .tags(userTag(tenantId, userId), tenantTag(tenantId), tenantRecordTag(tenantId))
            .staleIfError(TTL)
            .cacheAbsent(Duration.ofSeconds(30)));
  }

  /**
   * Lets the consistency auditor check cached access entries against PostgreSQL: an entry matches
   * when loading it again gives the same roles, permissions, status and tenant standing. A user gone
   * since does not match.
   */
  static void audit(Tierstate tierstate, UserAccounts accounts) {
    tierstate.audit().verify(ALL_ACCESS, UserAccess.class, (key, cached) -> {
      Matcher ids = ACCESS_KEY.matcher(key);
      if (!ids.matches()) {
        throw new IllegalArgumentException("not an access key: " + key); // an error sample, not a verdict
      }
      return accounts.access(UUID.fromString(ids.group(1)), UUID.fromString(ids.group(2))).map(cached::equals)
          .orElse(false);
    });
  }

  /** Every access entry: {@code tenant:*:user:*:permissions}. */
  static final String ALL_ACCESS = "tenant:*:user:*:permissions";

  private static final Pattern ACCESS_KEY =
      Pattern.compile("tenant:([0-9a-f-]{36}):user:([0-9a-f-]{36}):permissions");

  /** Drops one user's cached access on every node. */
  public void invalidateUser(UUID tenantId, UUID userId) {
    tierstate.invalidator().invalidateKeys(key(tenantId, userId));
  }

  /**
   * After a tenant's row changed (created, renamed, another plan or status), committed: drops the
   * tenant's standing from every access entry of its users, on every node, so that the next
   * request of any of them sees it. The invalidation is also what announces the change to the
   * tenant's event streams and to platform administrators' as entity {@code tenant}.
   */
  public void tenantChanged(UUID tenantId) {
    tierstate.invalidator().invalidateTags(tenantRecordTag(tenantId));
  }

  /** Drops every cached access of a tenant on every node. */
  public void invalidateTenant(UUID tenantId) {
    tierstate.invalidator().invalidateTags(tenantTag(tenantId));
  }
}
