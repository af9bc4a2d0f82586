package io.tierstate.writebehind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The options of a write-behind: defaults, validation, and which failures mean an outage. */
class WriteBehindOptionsUnitTests {
  private static final WriteBehindOptions DEFAULTS = WriteBehindOptions.defaults();

  @Test
  void byDefaultABatchRidesOutAnUnreachableDatabaseForFiveMinutes() {
    assertThat(DEFAULTS.outageTolerance()).isEqualTo(Duration.ofMinutes(5));
    assertThat(DEFAULTS.maxRetries()).isEqualTo(3);
    assertThat(DEFAULTS.unreachableWhen().test(new SQLTransientConnectionException("timeout")))
        .isTrue();
    assertThat(DEFAULTS.unreachableWhen().test(new IllegalStateException("bug"))).isFalse();
    assertThat(DEFAULTS.toString()).contains("outageTolerance=PT5M");
  }

  @Test
  void theNewOptionsAreSetOnACopyAndValidatedWithTheirNames() {
    Predicate<Throwable> never = failure -> false;
    WriteBehindOptions changed =
        DEFAULTS.withOutageTolerance(Duration.ofSeconds(30)).withUnreachableWhen(never);

    assertThat(changed.outageTolerance()).isEqualTo(Duration.ofSeconds(30));
    assertThat(changed.unreachableWhen()).isSameAs(never);
    assertThat(DEFAULTS.outageTolerance()).isEqualTo(Duration.ofMinutes(5));
    // the other with methods keep them
    assertThat(changed.withBatchSize(7).withMaxRetries(1).outageTolerance())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(changed.withClaimIdle(Duration.ofSeconds(9)).unreachableWhen()).isSameAs(never);

    assertThatThrownBy(() -> DEFAULTS.withOutageTolerance(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outageTolerance must be positive, was PT0S");
    assertThatThrownBy(() -> DEFAULTS.withOutageTolerance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outageTolerance");
    assertThatThrownBy(() -> DEFAULTS.withOutageTolerance(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("outageTolerance");
    assertThatThrownBy(() -> DEFAULTS.withUnreachableWhen(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("unreachableWhen");
  }

  @Test
  void eachWithMethodChangesItsOwnOptionsOnly() {
    Predicate<Throwable> never = failure -> false;
    WriteBehindOptions all =
        DEFAULTS
            .withBatchSize(7)
            .withFlushInterval(Duration.ofMillis(70))
            .withMaxRetries(9)
            .withBackoff(Duration.ofMillis(11), 3.0, Duration.ofSeconds(13))
            .withClaimIdle(Duration.ofSeconds(17))
            .withWhenRedisUnavailable(WhenRedisUnavailable.REJECT)
            .withSettledRetention(Duration.ofMinutes(19))
            .withUnreachableWhen(never)
            .withOutageTolerance(Duration.ofSeconds(23));

    assertThat(all.batchSize()).isEqualTo(7);
    assertThat(all.flushInterval()).isEqualTo(Duration.ofMillis(70));
    assertThat(all.maxRetries()).isEqualTo(9);
    assertThat(all.backoff()).isEqualTo(Duration.ofMillis(11));
    assertThat(all.backoffMultiplier()).isEqualTo(3.0);
    assertThat(all.maxBackoff()).isEqualTo(Duration.ofSeconds(13));
    assertThat(all.claimIdle()).isEqualTo(Duration.ofSeconds(17));
    assertThat(all.whenRedisUnavailable()).isEqualTo(WhenRedisUnavailable.REJECT);
    assertThat(all.settledRetention()).isEqualTo(Duration.ofMinutes(19));
    assertThat(all.unreachableWhen()).isSameAs(never);
    assertThat(all.outageTolerance()).isEqualTo(Duration.ofSeconds(23));
    assertThat(DEFAULTS.toString())
        .isEqualTo(WriteBehindOptions.defaults().withBatchSize(100).toString())
        .contains("batchSize=100", "maxRetries=3", "claimIdle=PT30S", "settledRetention=PT1H");
  }

  @Test
  void connectionFailuresOfTheDriverAndThePoolMeanUnreachable() {
    assertThat(WriteBehindOptions.isConnectionFailure(new SQLTransientConnectionException()))
        .as("HikariCP: connection is not available")
        .isTrue();
    assertThat(WriteBehindOptions.isConnectionFailure(new SQLRecoverableException())).isTrue();
    assertThat(WriteBehindOptions.isConnectionFailure(new SQLNonTransientConnectionException()))
        .isTrue();
    assertThat(WriteBehindOptions.isConnectionFailure(new ConnectException("refused"))).isTrue();
    for (String state :
        new String[] {"08000", "08001", "08003", "08006", "57P01", "57P02", "57P03"}) {
      assertThat(WriteBehindOptions.isConnectionFailure(new SQLException("x", state)))
          .as("SQLState %s", state)
          .isTrue();
    }
  }

  @Test
  void theCauseChainAndTheNextExceptionChainAreSearched() {
    // HikariCP wraps the driver's failure, which wraps the refused socket
    SQLException pool =
        new SQLException(
            "pool", null, new SQLException("driver", "99999", new ConnectException("refused")));
    assertThat(WriteBehindOptions.isConnectionFailure(pool)).isTrue();
    assertThat(
            WriteBehindOptions.isConnectionFailure(
                new UncheckedIOException(new IOException(new SQLException("gone", "08006")))))
        .isTrue();
    BatchUpdateException batch = new BatchUpdateException("batch failed", "22000", new int[0]);
    batch.setNextException(new SQLException("terminating connection", "57P01"));
    assertThat(WriteBehindOptions.isConnectionFailure(batch)).isTrue();

    // a cause chain that loops ends
    IllegalStateException first = new IllegalStateException("first");
    IllegalStateException second = new IllegalStateException("second", first);
    first.initCause(second);
    assertThat(WriteBehindOptions.isConnectionFailure(first)).isFalse();
  }

  @Test
  void rejectionsAndBugsAreNotUnreachable() {
    assertThat(
            WriteBehindOptions.isConnectionFailure(
                new SQLException("duplicate key value violates unique constraint", "23505")))
        .isFalse();
    assertThat(
            WriteBehindOptions.isConnectionFailure(
                new SQLIntegrityConstraintViolationException("constraint", "23505")))
        .isFalse();
    assertThat(WriteBehindOptions.isConnectionFailure(new SQLException("no state"))).isFalse();
    assertThat(WriteBehindOptions.isConnectionFailure(new SQLException("x", "57014")))
        .as("query canceled")
        .isFalse();
    assertThat(
            WriteBehindOptions.isConnectionFailure(
                new RuntimeException(new IllegalArgumentException("bad data"))))
        .isFalse();
  }
}
