package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** In the unit-test run (surefire sets the guard's property), starting a server fails clearly. */
class UnitTestGuardUnitTests {

  @Test
  void theUnitTestRunIsMarkedAndStartingAServerFailsNamingTheRule() {
    assertThat(Boolean.getBoolean(UnitTestGuard.PROPERTY)).as("surefire sets " + UnitTestGuard.PROPERTY).isTrue();
    assertThatThrownBy(() -> RedisServer.builder().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a unit test tried to start redis-server")
        .hasMessageContaining("*IntegrationTests");
    assertThatThrownBy(() -> PostgresServer.builder().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a unit test tried to start PostgreSQL");
  }
}
