package io.tierstate.server.tenants;

import io.tierstate.server.db.Database;
import io.tierstate.server.db.DatabaseException;
import io.tierstate.server.db.Jdbc;
import io.tierstate.server.http.ApiError;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The tenants in PostgreSQL, with a live count of their users; every value a bound parameter. Thread-safe. */
final class TenantStore {
  private static final String COLUMNS = """
      t.id, t.slug, t.name, t.plan, t.status, t.created_at, t.updated_at, t.version,
      (SELECT count(*) FROM users u WHERE u.tenant_id = t.id) AS user_count
      FROM tenants t""";

  private final Database database;

  TenantStore(Database database) {
    this.database = database;
  }

  /** The tenant, if it exists. */
  Optional<TenantView> find(UUID tenantId) {
    return find(database, tenantId, false);
  }

  /** A page of the tenants matching {@code query}, with the total count, read in one snapshot. */
  TenantPage list(TenantQuery query) {
    List<@Nullable Object> params = new ArrayList<>();
    String where = query.where(params);
    Database.Slice<TenantView> slice = database.slice("SELECT " + COLUMNS, "SELECT count(*) FROM tenants t", where,
        query.orderBy(), params, query.size(), query.offset(), TenantStore::view);
    return new TenantPage(slice.items(), query.page(), query.size(), slice.total(), slice.pages(query.size()));
  }

  /**
   * Inserts a tenant.
   *
   * @throws ApiError 409 {@code slug_taken} if another tenant has the slug
   */
  TenantView create(String slug, String name, String plan) {
    UUID id = UUID.randomUUID();
    try {
      return database.inTransaction(tx -> {
        tx.update("INSERT INTO tenants (id, slug, name, plan) VALUES (?, ?, ?, ?)", id, slug, name, plan);
        return find(tx, id, false).orElseThrow();
      });
    } catch (DatabaseException e) {
      if (e.isUniqueViolation()) {
        throw ApiError.conflict("slug_taken", "another tenant already has the slug '" + slug + "'");
      }
      throw e;
    }
  }

  /** What a change asks for; null fields stay as they are. */
  record Change(@Nullable String name, @Nullable String plan, @Nullable String status) {}

  /** A check run on the locked current state before a change is written (permissions, If-Match). */
  @FunctionalInterface
  interface Precondition {
    void check(TenantView current);
  }

  /** The state before and after a change. */
  record Changed(TenantView before, TenantView after) {}

  /**
   * Applies {@code change} to the locked row in one transaction and bumps the version.
   *
   * @return the states before and after, or empty if there is no such tenant
   */
  Optional<Changed> update(UUID tenantId, Change change, Precondition precondition) {
    return database.inTransaction(tx -> {
      Optional<TenantView> locked = find(tx, tenantId, true);
      if (locked.isEmpty()) {
        return Optional.empty();
      }
      TenantView before = locked.get();
      precondition.check(before);
      tx.update("""
          UPDATE tenants SET name = coalesce(?, name), plan = coalesce(?, plan), status = coalesce(?, status),
                 updated_at = now(), version = version + 1
          WHERE id = ?""", change.name(), change.plan(), change.status(), tenantId);
      return Optional.of(new Changed(before, find(tx, tenantId, false).orElseThrow()));
    });
  }

  /** The ids of the tenant's users. */
  List<UUID> userIds(UUID tenantId) {
    return database.query("SELECT id FROM users WHERE tenant_id = ?", row -> row.getObject(1, UUID.class), tenantId);
  }

  private static Optional<TenantView> find(Jdbc jdbc, UUID tenantId, boolean lock) {
    return jdbc.queryOne("SELECT " + COLUMNS + " WHERE t.id = ?" + (lock ? " FOR UPDATE OF t" : ""),
        TenantStore::view, tenantId);
  }

  private static TenantView view(ResultSet row) throws SQLException {
    return new TenantView(row.getObject("id", UUID.class), row.getString("slug"), row.getString("name"),
        row.getString("plan"), row.getString("status"), row.getLong("user_count"),
        row.getObject("created_at", OffsetDateTime.class).toInstant(),
        row.getObject("updated_at", OffsetDateTime.class).toInstant(), row.getLong("version"));
  }
}
