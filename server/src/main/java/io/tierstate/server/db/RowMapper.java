package io.tierstate.server.db;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns the current row of a {@link ResultSet} into a value; must not move the cursor.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface RowMapper<T> {
  /** Maps the current row. */
  T map(ResultSet row) throws SQLException;
}
