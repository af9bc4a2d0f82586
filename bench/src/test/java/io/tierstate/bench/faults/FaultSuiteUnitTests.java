package io.tierstate.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.RedisUnavailableException;
import io.tierstate.cache.CacheLoadException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class FaultSuiteUnitTests {

  @Test
  void failuresAreAnsweredAsTheServerWould() {
    assertThat(Outcomes.of(new RedisUnavailableException("down"))).isEqualTo(Outcomes.REDIS_UNAVAILABLE);
    assertThat(Outcomes.of(new CacheLoadException("load", new SQLTransientConnectionException("pool"))))
        .isEqualTo(Outcomes.DATABASE_UNAVAILABLE);
    assertThat(Outcomes.of(new CacheLoadException("load", new SQLException("gone", "08006"))))
        .isEqualTo(Outcomes.DATABASE_UNAVAILABLE);
    assertThat(Outcomes.of(new CacheLoadException("load", new SQLException("shutdown", "57P01"))))
        .isEqualTo(Outcomes.DATABASE_UNAVAILABLE);
    assertThat(Outcomes.of(new CacheLoadException("load", new SQLException("syntax", "42601"))))
        .isEqualTo("500 CacheLoadException");
    assertThat(Outcomes.of(new IllegalStateException("bug"))).isEqualTo("500 IllegalStateException");
    assertThat(Outcomes.isError(Outcomes.RATE_LIMITED)).isFalse();
    assertThat(Outcomes.isError(Outcomes.LOCK_BUSY)).isFalse();
  }

  @Test
  void theReportReplacesItsBlockAndNothingElse() {
    String block = FaultSuite.START + "\nnew\n" + FaultSuite.END + "\n";
    String doc = "# R\n\nbefore\n" + FaultSuite.START + "\nold\n" + FaultSuite.END + "\n\n## Limits\n";
    assertThat(FaultSuite.splice(doc, block)).isEqualTo("# R\n\nbefore\n" + block + "\n## Limits\n");
    assertThat(FaultSuite.splice("# R\n", block)).isEqualTo("# R\n\n" + block);
  }
}
