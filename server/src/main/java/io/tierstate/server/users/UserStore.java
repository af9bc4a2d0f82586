package io.tierstate.server.users;

import io.tierstate.server.db.Database;
import io.tierstate.server.db.Jdbc;
import io.tierstate.server.http.ApiError;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The users of a tenant in PostgreSQL: every statement is scoped by tenant id, and every value is
 * a bound parameter. Thread-safe.
 */
final class UserStore {
  // A user's roles: built-in ones (tenant_id NULL) and the tenant's own, never another tenant's.
  private static final String COLUMNS = """
      u.id, u.tenant_id, u.email, u.display_name, u.status, u.created_at, u.updated_at, u.version,
      ARRAY(SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
            WHERE ur.user_id = u.id AND (r.tenant_id IS NULL OR r.tenant_id = u.tenant_id)
            ORDER BY r.name) AS roles
      FROM users u""";

  private final Database database;

  UserStore(Database database) {
    this.database = database;
  }

  /** The user, if they belong to the tenant. */
  Optional<UserView> find(UUID tenantId, UUID userId) {
    return find(database, tenantId, userId, false);
  }

  /** A page of the tenant's users matching {@code query}, with the total count. */
  UserPage list(UUID tenantId, UserQuery query) {
    List<@Nullable Object> params = new ArrayList<>();
    String where = query.where(tenantId, params);
    Database.Slice<UserView> slice = database.slice("SELECT " + COLUMNS, "SELECT count(*) FROM users u", where,
        query.orderBy(), params, query.size(), query.offset(), UserStore::view);
    return new UserPage(slice.items(), query.page(), query.size(), slice.total(), slice.pages(query.size()));
  }

  /**
   * Inserts a user with these roles, in one transaction.
   *
   * @throws ApiError 409 {@code email_taken} if the address is in use; 400 {@code unknown_role}
   */
  UserView create(UUID tenantId, String email, String displayName, String passwordHash, List<String> roles) {
    UUID id = UUID.randomUUID();
    try {
      return database.inTransaction(tx -> {
        tx.update("INSERT INTO users (id, tenant_id, email, password_hash, display_name) VALUES (?, ?, ?, ?, ?)",
            id, tenantId, email, passwordHash, displayName);
        grant(tx, tenantId, id, roles);
        return find(tx, tenantId, id, false).orElseThrow();
      });
    } catch (io.tierstate.server.db.DatabaseException e) {
      if (e.isUniqueViolation()) {
        throw ApiError.conflict("email_taken", "the e-mail address '" + email + "' already has an account");
      }
      throw e;
    }
  }

  /** What a change asks for; null fields stay as they are. */
  record Change(@Nullable String displayName, @Nullable String status, @Nullable List<String> roles) {}

  /** A check run on the locked current state before a change is written (for If-Match). */
  @FunctionalInterface
  interface Precondition {
    void check(UserView current);
  }

  /** The state before and after a change. */
  record Changed(UserView before, UserView after) {}

  /**
   * Applies {@code change} to the locked row in one transaction and bumps the version.
   *
   * @return the states before and after, or empty if the user is not in the tenant
   */
  Optional<Changed> update(UUID tenantId, UUID userId, Change change, Precondition precondition) {
    return database.inTransaction(tx -> {
      Optional<UserView> locked = find(tx, tenantId, userId, true);
      if (locked.isEmpty()) {
        return Optional.empty();
      }
      UserView before = locked.get();
      precondition.check(before);
      tx.update("""
          UPDATE users SET display_name = coalesce(?, display_name), status = coalesce(?, status),
                 updated_at = now(), version = version + 1
          WHERE id = ? AND tenant_id = ?""", change.displayName(), change.status(), userId, tenantId);
      List<String> roles = change.roles();
      if (roles != null) {
        tx.update("DELETE FROM user_roles WHERE user_id = ?", userId);
        grant(tx, tenantId, userId, roles);
      }
      return Optional.of(new Changed(before, find(tx, tenantId, userId, false).orElseThrow()));
    });
  }

  /**
   * Deletes the user (their roles go with them), in one transaction.
   *
   * @return the deleted state, or empty if the user is not in the tenant
   */
  Optional<UserView> delete(UUID tenantId, UUID userId, Precondition precondition) {
    return database.inTransaction(tx -> {
      Optional<UserView> locked = find(tx, tenantId, userId, true);
      if (locked.isEmpty()) {
        return Optional.empty();
      }
      precondition.check(locked.get());
      tx.update("DELETE FROM users WHERE id = ? AND tenant_id = ?", userId, tenantId);
      return locked;
    });
  }

  private static void grant(Jdbc tx, UUID tenantId, UUID userId, List<String> roles) {
    for (String role : roles) {
      int granted = tx.update("""
          INSERT INTO user_roles (user_id, role_id)
          SELECT ?, id FROM roles WHERE name = ? AND (tenant_id IS NULL OR tenant_id = ?)
          ON CONFLICT DO NOTHING""", userId, role, tenantId);
      if (granted == 0) {
        // Rolls the whole transaction back: nothing half-written.
        throw ApiError.badRequest("unknown_role", "there is no role '" + role + "' in this tenant");
      }
    }
  }

  private static Optional<UserView> find(Jdbc jdbc, UUID tenantId, UUID userId, boolean lock) {
    return jdbc.queryOne("SELECT " + COLUMNS + " WHERE u.id = ? AND u.tenant_id = ?" + (lock ? " FOR UPDATE OF u" : ""),
        UserStore::view, userId, tenantId);
  }

  private static UserView view(ResultSet row) throws SQLException {
    Array roles = row.getArray("roles");
    Object[] names = (Object[]) roles.getArray();
    return new UserView(row.getObject("id", UUID.class), row.getObject("tenant_id", UUID.class),
        row.getString("email"), row.getString("display_name"), row.getString("status"),
        Arrays.stream(names).map(String::valueOf).toList(),
        row.getObject("created_at", OffsetDateTime.class).toInstant(),
        row.getObject("updated_at", OffsetDateTime.class).toInstant(), row.getLong("version"));
  }
}
