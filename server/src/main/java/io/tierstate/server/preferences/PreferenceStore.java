package io.tierstate.server.preferences;

import io.tierstate.server.db.Database;
import io.tierstate.server.db.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Users' preferences in PostgreSQL, always scoped by the user's tenant. A user without a row has
 * the defaults. Thread-safe.
 */
final class PreferenceStore {
  // The defaults are bound as parameters, so they live in IntlPreferences alone.
  private static final String SELECT = """
      SELECT coalesce(p.locale, ?) AS locale, coalesce(p.time_zone, ?) AS time_zone,
             coalesce(p.updated_at, u.created_at) AS updated_at, coalesce(p.version, 1) AS version
      FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id
      WHERE u.id = ? AND u.tenant_id = ?""";

  private final Database database;

  PreferenceStore(Database database) {
    this.database = database;
  }

  /** The user's preferences, or empty if there is no such user in the tenant. */
  Optional<IntlPreferences> find(UUID tenantId, UUID userId) {
    return find(database, tenantId, userId, false);
  }

  /** What a change asks for; null fields stay as they are. */
  record Change(@Nullable String locale, @Nullable String timeZone) {}

  /** A check run on the locked current state before a change is written (for If-Match). */
  @FunctionalInterface
  interface Precondition {
    void check(IntlPreferences current);
  }

  /**
   * Applies {@code change} in one transaction, the user's row locked so that changes of one user
   * never interleave, and bumps the version.
   *
   * @return the new preferences, or empty if there is no such user in the tenant
   */
  Optional<IntlPreferences> update(UUID tenantId, UUID userId, Change change, Precondition precondition) {
    return database.inTransaction(tx -> {
      Optional<IntlPreferences> locked = find(tx, tenantId, userId, true);
      if (locked.isEmpty()) {
        return Optional.empty();
      }
      IntlPreferences current = locked.get();
      precondition.check(current);
      tx.update("""
          INSERT INTO user_preferences (user_id, locale, time_zone, updated_at, version) VALUES (?, ?, ?, now(), ?)
          ON CONFLICT (user_id) DO UPDATE SET locale = EXCLUDED.locale, time_zone = EXCLUDED.time_zone,
                                              updated_at = EXCLUDED.updated_at, version = EXCLUDED.version""",
          userId, change.locale() != null ? change.locale() : current.locale(),
          change.timeZone() != null ? change.timeZone() : current.timeZone(), current.version() + 1);
      return find(tx, tenantId, userId, false);
    });
  }

  private static Optional<IntlPreferences> find(Jdbc jdbc, UUID tenantId, UUID userId, boolean lock) {
    return jdbc.queryOne(SELECT + (lock ? " FOR UPDATE OF u" : ""), PreferenceStore::preferences,
        IntlPreferences.DEFAULT_LOCALE, IntlPreferences.DEFAULT_TIME_ZONE, userId, tenantId);
  }

  private static IntlPreferences preferences(ResultSet row) throws SQLException {
    return new IntlPreferences(row.getString("locale"), row.getString("time_zone"),
        row.getObject("updated_at", OffsetDateTime.class).toInstant(), row.getLong("version"));
  }
}
