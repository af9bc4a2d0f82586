package io.tierstate.server.auth;

import io.tierstate.server.db.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads the accounts auth needs from PostgreSQL. Thread-safe. */
final class UserAccounts {
  private static final String ACCOUNT_COLUMNS = """
      u.id, u.tenant_id, t.slug, t.name, u.email, u.display_name, u.status, u.password_hash, t.plan, t.status
      FROM users u JOIN tenants t ON t.id = u.tenant_id""";

  private final Jdbc db;

  UserAccounts(Jdbc db) {
    this.db = db;
  }

  /** A user with their tenant and password hash. */
  record Account(UUID id, UUID tenantId, String tenantSlug, String tenantName, String email, String displayName,
      boolean active, String passwordHash, String tenantPlan, String tenantStatus) {
    /** Whether the user's tenant is suspended. */
    boolean tenantSuspended() {
      return "suspended".equals(tenantStatus);
    }

    @Override
    public String toString() {
      return "Account[id=" + id + ", tenantId=" + tenantId + ", email=" + email + "]";
    }
  }

  /** The account with this e-mail (already lower-cased). */
  Optional<Account> byEmail(String email) {
    return db.queryOne("SELECT " + ACCOUNT_COLUMNS + " WHERE u.email = ?", UserAccounts::account, email);
  }

  /** The account with this id in this tenant. */
  Optional<Account> byId(UUID tenantId, UUID userId) {
    return db.queryOne("SELECT " + ACCOUNT_COLUMNS + " WHERE u.id = ? AND u.tenant_id = ?",
        UserAccounts::account, userId, tenantId);
  }

  /**
   * Counts one successful sign-in for the tenant on today's UTC day (the tenant analytics read
   * these). Not cached anywhere: the analytics entry ages out within its TTL instead.
   */
  void recordSignIn(UUID tenantId) {
    db.update("""
        INSERT INTO sign_in_days (tenant_id, day, sign_ins) VALUES (?, (now() AT TIME ZONE 'UTC')::date, 1)
        ON CONFLICT (tenant_id, day) DO UPDATE SET sign_ins = sign_in_days.sign_ins + 1""", tenantId);
  }

  /** An account's status and its tenant's standing. */
  private record Standing(boolean active, UserAccess.Tenant tenant) {}

  /**
   * The user's roles, permissions and status, and their tenant's standing, or empty if there is
   * no such user in the tenant.
   */
  Optional<UserAccess> access(UUID tenantId, UUID userId) {
    Optional<Standing> standing = db.queryOne("""
        SELECT u.status = 'active', t.slug, t.name, t.plan, t.status
        FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = ? AND u.tenant_id = ?""",
        row -> new Standing(row.getBoolean(1),
            new UserAccess.Tenant(row.getString(2), row.getString(3), row.getString(4), row.getString(5))),
        userId, tenantId);
    if (standing.isEmpty()) {
      return Optional.empty();
    }
    List<String> roles = db.query("""
        SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
        WHERE ur.user_id = ? AND (r.tenant_id IS NULL OR r.tenant_id = ?) ORDER BY r.name""",
        row -> row.getString(1), userId, tenantId);
    List<String> permissions = db.query("""
        SELECT DISTINCT rp.permission FROM user_roles ur
        JOIN roles r ON r.id = ur.role_id JOIN role_permissions rp ON rp.role_id = r.id
        WHERE ur.user_id = ? AND (r.tenant_id IS NULL OR r.tenant_id = ?) ORDER BY rp.permission""",
        row -> row.getString(1), userId, tenantId);
    return Optional.of(new UserAccess(roles, permissions, standing.get().active(), standing.get().tenant()));
  }

  private static Account account(ResultSet row) throws SQLException {
    return new Account(row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getString(3),
        row.getString(4), row.getString(5), row.getString(6), "active".equals(row.getString(7)), row.getString(8),
        row.getString(9), row.getString(10));
  }
}
