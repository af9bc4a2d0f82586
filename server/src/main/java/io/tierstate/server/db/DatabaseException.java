package io.tierstate.server.db;

import io.tierstate.writebehind.WriteBehindOptions;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * A statement failed. {@link #unavailable()} tells a database that cannot be reached (answered with
 * 503) from a statement that failed (a bug or a constraint: 500 unless the caller handles it, for
 * example a {@linkplain #isUniqueViolation() unique violation} as 409).
 */
public final class DatabaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String sqlState;

  DatabaseException(String message, SQLException cause) {
    super(message + ": " + cause.getMessage(), cause);
    this.sqlState = cause.getSQLState();
  }

  /** The SQLSTATE of the failure, such as {@code 23505}, or null. */
  public @Nullable String sqlState() {
    return sqlState;
  }

  /** Whether a unique constraint was violated (SQLSTATE 23505). */
  public boolean isUniqueViolation() {
    return "23505".equals(sqlState);
  }

  /**
   * Whether the database could not be reached: a connection failure (SQLSTATE class 08), an
   * exhausted pool, or a server shutting down, crashed or starting (57P01, 57P02, 57P03: a pooled
   * connection's first statement after the server stopped fails with these, not with 08). The same
   * rule by which the write-behind waits out an outage ({@link
   * WriteBehindOptions#isConnectionFailure}), so that the API's 503s and the write-behind's holds
   * agree on what an outage is.
   */
  public boolean unavailable() {
    return WriteBehindOptions.isConnectionFailure(this); // its cause chain: the SQLException
  }
}
