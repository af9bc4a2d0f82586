package io.tierstate.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.server.ServerConfig;
import io.tierstate.testkit.PostgresServer;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pool and its transactions against a real PostgreSQL. */
class DatabaseIntegrationTests {
  private static PostgresServer postgres;
  private static Database database;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.start();
    String url = postgres.createDatabase("database_tests");
    database = Database.connect(
        new ServerConfig.Database(url, postgres.user(), postgres.password(), 4), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aTransactionWhoseConnectionTheServerEndsFailsAsUnavailableAndThePoolGoesOn() {
    // Regression (found by FaultsUnderLoadIntegrationTests while PostgreSQL stopped): the statement
    // failed with 57P01, the pool marked the connection broken, and resetting auto-commit on it
    // afterwards threw "Connection is closed" (no SQLSTATE) in its place: a 500 instead of a 503.
    assertThatThrownBy(() -> database.inTransaction(tx -> tx.query(
            "SELECT pg_terminate_backend(pg_backend_pid())", row -> row.getBoolean(1))))
        .isInstanceOfSatisfying(DatabaseException.class, e -> {
          assertThat(e.sqlState()).isEqualTo("57P01");
          assertThat(e.unavailable()).as("answered 503 database_unavailable").isTrue();
        });

    Optional<Integer> answer = database.inTransaction(tx -> tx.queryOne("SELECT 41 + 1", row -> row.getInt(1)));
    assertThat(answer).as("the pool replaced the broken connection").hasValue(42);
  }

  @Test
  void aFailedTransactionIsRolledBack() {
    database.update("CREATE TABLE IF NOT EXISTS rolled (n int)");
    assertThatThrownBy(() -> database.inTransaction(tx -> {
      tx.update("INSERT INTO rolled VALUES (1)");
      throw new IllegalStateException("the work failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("the work failed");
    assertThat(database.queryOne("SELECT count(*) FROM rolled", row -> row.getLong(1))).hasValue(0L);
  }
}
