package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresServerIntegrationTests {

  @Test
  void startsRunsSqlAndKeepsItsDataAcrossStopAndRestart() throws SQLException {
    try (PostgresServer pg = PostgresServer.start()) {
      assertThat(pg.isRunning()).isTrue();
      assertThat(pg.host()).isEqualTo("127.0.0.1");
      assertThat(pg.port()).isNotEqualTo(5432);
      assertThat(Path.of(pg.binDirectory()).resolve("postgres")).isExecutable();
      if ("root".equals(System.getProperty("user.name"))) {
        assertThat(pg.processUser()).isIn("postgres", "nobody");
      }

      String url = pg.createDatabase("app");
      assertThat(url).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/app");
      try (Connection c = connect(pg, url); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
        s.execute("INSERT INTO notes VALUES (1, 'kept')");
        assertThat(single(s, "SELECT current_setting('unix_socket_directories')"))
            .doesNotContain("/var/run/postgresql");
        assertThat(single(s, "SHOW wal_level")).isEqualTo("logical");
        // A logical slot can be created, which needs wal_level=logical and a free slot.
        assertThat(single(s, "SELECT slot_name FROM pg_create_logical_replication_slot('probe', 'pgoutput')"))
            .isEqualTo("probe");
        s.execute("SELECT pg_drop_replication_slot('probe')");
      }

      int port = pg.port();
      pg.stop();
      assertThat(pg.isRunning()).isFalse();
      assertThatThrownBy(() -> connect(pg, url)).isInstanceOf(SQLException.class);

      pg.restart();
      assertThat(pg.port()).isEqualTo(port);
      try (Connection c = connect(pg, url); Statement s = c.createStatement()) {
        assertThat(single(s, "SELECT body FROM notes WHERE id = 1")).isEqualTo("kept");
      }
    }
  }

  @Test
  void runsTheBinariesShippedInZonkysJarsWhenNoneIsInstalled() throws SQLException {
    try (PostgresServer pg = PostgresServer.builder().binDirectory(PostgresBinaries.embedded()).start()) {
      assertThat(pg.binDirectory()).doesNotStartWith("/usr/");
      try (Connection c = connect(pg, pg.createDatabase("zonky")); Statement s = c.createStatement()) {
        assertThat(single(s, "SELECT current_setting('server_version_num')::int / 10000")).isEqualTo("14");
      }
    }
  }

  @Test
  void recoversCommittedDataAfterACrash() throws SQLException {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.createDatabase("crash");
      try (Connection c = connect(pg, url); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (v int)");
        s.execute("INSERT INTO t VALUES (42)");
      }
      pg.kill();
      assertThat(pg.isRunning()).isFalse();
      pg.restart();
      try (Connection c = connect(pg, url); Statement s = c.createStatement()) {
        assertThat(single(s, "SELECT v FROM t")).isEqualTo("42");
      }
    }
  }

  @Test
  void pauseFreezesQueriesUntilResume() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.createDatabase("paused");
      try (Connection c = connect(pg, url); Statement s = c.createStatement()) {
        pg.pause();
        CompletableFuture<String> query = CompletableFuture.supplyAsync(() -> {
          try {
            return single(s, "SELECT 'answered'");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
        // The backend is frozen too, so even an open connection gets no answer.
        assertThat(Poll.until(java.time.Duration.ofMillis(300), query::isDone)).isFalse();
        pg.resume();
        assertThat(query.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
      }
    }
  }

  @Test
  void closeIsIdempotentAndDeletesTheDirectory() {
    PostgresServer pg = PostgresServer.start();
    Path dir = pg.directory();
    assertThat(dir).isDirectory();
    pg.close();
    pg.close();
    assertThat(pg.isRunning()).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    assertThatThrownBy(pg::restart).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was closed");
  }

  @Test
  void refusesAnInvalidDatabaseName() {
    try (PostgresServer pg = PostgresServer.start()) {
      assertThatThrownBy(() -> pg.createDatabase("drop table; --"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lower-case identifier");
    }
  }

  private static Connection connect(PostgresServer pg, String url) throws SQLException {
    return DriverManager.getConnection(url, pg.user(), pg.password());
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
