package io.tierstate.server.cdc;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.keys.CacheKeys;
import io.tierstate.postgres.ChangeStream;
import io.tierstate.postgres.Row;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.db.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the server's {@link ChangeStream} as {@code SERVER_CDC} says, with the mapping of its
 * tables (users, tenants, roles, role permissions, user roles, permissions) to what the server
 * caches: a {@code UPDATE users SET status = 'suspended'} typed in {@code psql} drops the user's
 * access, entity and list entries on every node, ends the user's sessions and reaches browsers as
 * an {@code invalidate} event. The ETags follow by themselves: they hash the representation, not
 * the {@code version} column, so a reload after the invalidation answers the new content.
 *
 * <p>The tables whose old row must be known (a user moving tenants, a deleted role's tenant) are
 * {@code REPLICA IDENTITY FULL} (migration V5).
 */
public final class ServerChangeStream {
  private static final Logger log = LoggerFactory.getLogger(ServerChangeStream.class);

  /** Every access entry: {@code tenant:{t}:user:{u}:permissions}. */
  static final String ALL_ACCESS = "tenant:*:user:*:permissions";

  /** Every tenant's role list: {@code tenant:{t}:role:list:{hash}}. */
  static final String ALL_ROLE_LISTS = "tenant:*:role:list:*";

  private ServerChangeStream() {}

  /**
   * Starts the stream, or returns null when {@code SERVER_CDC} is off, or auto and the database
   * does not allow logical replication.
   *
   * @throws IllegalStateException if {@code SERVER_CDC=on} and the database does not allow it
   */
  public static @Nullable ChangeStream start(ServerConfig config, Database database, Tierstate tierstate) {
    ServerConfig.Cdc mode = config.cdc();
    if (mode == ServerConfig.Cdc.OFF) {
      return null;
    }
    String url = config.database().jdbcUrl();
    String why = url == null ? "no DATABASE_URL" : unsupported(database);
    if (why != null || url == null) {
      if (mode == ServerConfig.Cdc.ON) {
        throw new IllegalStateException("SERVER_CDC=on but the change stream cannot run: " + why
            + " (see docs/postgres-cdc.md)");
      }
      log.info("Change stream off (SERVER_CDC=auto): {}; only the server's own writes invalidate", why);
      return null;
    }
    String user = config.database().user();
    String password = config.database().password();
    ChangeStream.Builder builder = map(ChangeStream.builder(tierstate, url, user == null ? "" : user,
        password == null ? "" : password), database, tierstate);
    String slot = config.cdcSlot();
    if (slot != null) {
      // One slot per region sharing this database: each region's consumer invalidates its own Redis.
      builder.slot(slot);
    }
    ChangeStream stream = builder.start();
    log.info("Change stream on: slot {}, publication tierstate", stream.slot());
    return stream;
  }

  /** Why the database cannot stream changes to this user, or null if it can. */
  private static @Nullable String unsupported(Database database) {
    String level = database.query("SHOW wal_level", row -> row.getString(1)).getFirst();
    if (!"logical".equals(level)) {
      return "wal_level is " + level + ", not logical";
    }
    boolean allowed = database.query(
        "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user",
        row -> row.getBoolean(1)).stream().findFirst().orElse(false);
    return allowed ? null : "the database user has neither REPLICATION nor superuser";
  }

  /** The server's tables and what each of their changes invalidates. */
  static ChangeStream.Builder map(ChangeStream.Builder builder, Database database, Tierstate tierstate) {
    return builder
        .table("users")
        .keys(row -> user(row).map(u -> List.of(AccessCache.key(u.tenant(), u.id()),
            CacheKeys.tenant(u.tenant()).entity("user", u.id()))).orElse(List.of()))
        .tags(row -> user(row).map(u -> List.of(AccessCache.userTag(u.tenant(), u.id()),
            "tenant:" + u.tenant() + ":users")).orElse(List.of()))
        .afterInvalidation(row -> endSessionsIfSuspended(row, tierstate))
        .resyncPatterns("tenant:*")
        .table("tenants")
        .tags(row -> row.uuid("id").map(t -> List.of(AccessCache.tenantRecordTag(t))).orElse(List.of()))
        .patterns(row -> "suspended".equals(row.get("status")) || row.kind() == Row.ChangeKind.DELETE
            ? row.uuid("id").map(t -> List.of(CacheKeys.tenant(t).pattern())).orElse(List.of())
            : List.of())
        .afterInvalidation(row -> endTenantSessionsIfSuspended(row, database, tierstate))
        .resyncPatterns("tenant:*")
        .table("roles")
        .tags(row -> row.uuid("tenant_id").map(ServerChangeStream::roleTags).orElse(List.of()))
        .patterns(row -> row.get("tenant_id") == null ? List.of(ALL_ACCESS, ALL_ROLE_LISTS) : List.of())
        .resyncPatterns(ALL_ACCESS, ALL_ROLE_LISTS)
        .table("role_permissions")
        .tags(row -> roleTenant(database, row.require("role_id")).map(ServerChangeStream::roleTags)
            .orElse(List.of()))
        .patterns(row -> roleTenant(database, row.require("role_id")).isPresent()
            ? List.of() : List.of(ALL_ACCESS, ALL_ROLE_LISTS))
        .resyncPatterns(ALL_ACCESS, ALL_ROLE_LISTS)
        .table("user_roles")
        .tags(row -> userTenant(database, row.require("user_id"))
            .map(t -> List.of(AccessCache.userTag(t, UUID.fromString(row.require("user_id"))),
                "tenant:" + t + ":roles", "tenant:" + t + ":users"))
            .orElse(List.of()))
        .patterns(row -> userTenant(database, row.require("user_id")).isPresent()
            ? List.of() : List.of("tenant:*:user:" + row.require("user_id") + "*"))
        .resyncPatterns(ALL_ACCESS, ALL_ROLE_LISTS)
        .table("permissions")
        .patterns(row -> List.of(ALL_ACCESS, ALL_ROLE_LISTS))
        .resyncPatterns(ALL_ACCESS, ALL_ROLE_LISTS)
        .and();
  }

  private record UserId(UUID tenant, UUID id) {}

  private static Optional<UserId> user(Row row) {
    Optional<UUID> tenant = row.uuid("tenant_id");
    Optional<UUID> id = row.uuid("id");
    return tenant.isPresent() && id.isPresent() ? Optional.of(new UserId(tenant.get(), id.get())) : Optional.empty();
  }

  private static List<String> roleTags(UUID tenant) {
    return List.of(AccessCache.tenantTag(tenant), "tenant:" + tenant + ":roles");
  }

  /** The tenant of a custom role; empty for a built-in one (every tenant's) or one gone since. */
  private static Optional<UUID> roleTenant(Database database, String roleId) {
    return database.query("SELECT tenant_id FROM roles WHERE id = ?::uuid", row -> row.getString(1), roleId)
        .stream().filter(t -> t != null).findFirst().map(UUID::fromString);
  }

  private static Optional<UUID> userTenant(Database database, String userId) {
    return database.query("SELECT tenant_id FROM users WHERE id = ?::uuid", row -> row.getString(1), userId)
        .stream().findFirst().map(UUID::fromString);
  }

  /** A suspended (or deleted) user's sessions end, as when the API suspends them. */
  private static void endSessionsIfSuspended(Row row, Tierstate tierstate) {
    if (row.isOld() && row.kind() != Row.ChangeKind.DELETE) {
      return;
    }
    boolean ends = row.kind() == Row.ChangeKind.DELETE || "suspended".equals(row.get("status"));
    if (!ends) {
      return;
    }
    user(row).ifPresent(u -> {
      try {
        int ended = tierstate.sessions().deleteUserSessions(u.tenant().toString(), u.id().toString());
        log.atInfo().addKeyValue("userId", u.id()).addKeyValue("sessions", ended)
            .log("sessions ended after a change made outside the server");
      } catch (RedisUnavailableException e) {
        log.atWarn().addKeyValue("userId", u.id()).log("could not end the user's sessions: Redis is unavailable");
      }
    });
  }

  private static void endTenantSessionsIfSuspended(Row row, Database database, Tierstate tierstate) {
    if (!"suspended".equals(row.get("status")) || row.isOld()) {
      return;
    }
    row.uuid("id").ifPresent(tenant -> {
      List<String> users = new ArrayList<>(database.query("SELECT id FROM users WHERE tenant_id = ?::uuid",
          r -> r.getString(1), tenant.toString()));
      for (String user : users) {
        tierstate.sessions().deleteUserSessions(tenant.toString(), user);
      }
    });
  }
}
