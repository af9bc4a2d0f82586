package io.tierstate.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures mean "the database is unreachable" (503) rather than "the statement failed" (500). */
class DatabaseExceptionTests {
  private static DatabaseException failure(String sqlState) {
    return new DatabaseException("query failed", new SQLException("boom", sqlState));
  }

  @Test
  void connectionFailuresAndAStoppingServerAreUnavailable() {
    assertThat(failure("08006").unavailable()).as("connection failure").isTrue();
    assertThat(failure("08003").unavailable()).as("connection closed").isTrue();
    // regression: a pooled connection's first statement after PostgreSQL stopped failed with
    // 57P01 "terminating connection due to administrator command" and was answered with 500
    assertThat(failure("57P01").unavailable()).as("admin shutdown").isTrue();
    assertThat(failure("57P03").unavailable()).as("cannot connect now").isTrue();
    assertThat(new DatabaseException("query failed", new SQLTransientConnectionException("pool exhausted"))
        .unavailable()).as("pool timeout").isTrue();
  }

  @Test
  void statementFailuresAreNot() {
    assertThat(failure("23505").unavailable()).isFalse();
    assertThat(failure("23505").isUniqueViolation()).isTrue();
    assertThat(failure("42601").unavailable()).as("syntax error").isFalse();
    assertThat(failure(null).unavailable()).isFalse();
  }
}
