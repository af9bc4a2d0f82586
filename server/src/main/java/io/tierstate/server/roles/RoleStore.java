package io.tierstate.server.roles;

import io.tierstate.server.db.Database;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/** The roles available in a tenant, from PostgreSQL. Thread-safe. */
final class RoleStore {
  private final Database database;

  RoleStore(Database database) {
    this.database = database;
  }

  /** The built-in roles and the tenant's own, sorted by name; empty if there is no such tenant. */
  Optional<RoleList> list(UUID tenantId) {
    return database.inTransaction(tx -> {
      tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      if (tx.queryOne("SELECT 1 FROM tenants WHERE id = ?", row -> true, tenantId).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new RoleList(tx.query("""
          SELECT r.name, r.description, r.tenant_id IS NULL AS built_in,
                 ARRAY(SELECT rp.permission FROM role_permissions rp WHERE rp.role_id = r.id
                       ORDER BY rp.permission) AS permissions
          FROM roles r WHERE r.tenant_id IS NULL OR r.tenant_id = ?
          ORDER BY r.name, r.tenant_id NULLS FIRST""", RoleStore::role, tenantId)));
    });
  }

  private static RoleView role(ResultSet row) throws SQLException {
    Array permissions = row.getArray("permissions");
    return new RoleView(row.getString("name"), row.getString("description"), row.getBoolean("built_in"),
        Arrays.stream((Object[]) permissions.getArray()).map(String::valueOf).toList());
  }
}
