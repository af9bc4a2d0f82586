package io.tierstate.server.db;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Runs SQL with positional parameters ({@code ?}), bound with {@code setObject} ({@link
 * java.util.UUID}, {@link String}, numbers, booleans, {@link java.time.Instant} as {@code
 * timestamptz}). Every method throws {@link DatabaseException} on failure.
 *
 * <pre>{@code
 * Optional<String> name = jdbc.queryOne("SELECT name FROM tenants WHERE id = ?", r -> r.getString(1), id);
 * int changed = jdbc.update("UPDATE users SET status = ? WHERE id = ?", "suspended", userId);
 * }</pre>
 */
public interface Jdbc {
  /** All rows, mapped. */
  <T> List<T> query(String sql, RowMapper<T> mapper, @Nullable Object... params);

  /**
   * The only row, mapped, or empty.
   *
   * @throws IllegalStateException if there is more than one row
   */
  default <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, @Nullable Object... params) {
    List<T> rows = query(sql, mapper, params);
    if (rows.size() > 1) {
      throw new IllegalStateException("expected at most one row, got " + rows.size() + " from: " + sql);
    }
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows changed. */
  int update(String sql, @Nullable Object... params);
}
