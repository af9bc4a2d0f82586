package io.tierstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Slot names (one per region) are checked by PostgreSQL's rule when configured, with a message that says why. */
class ChangeStreamSlotNameUnitTests {

  @Test
  void namesPostgresAcceptsPass() {
    assertThat(ChangeStream.requireValidSlot("tierstate_eu")).isEqualTo("tierstate_eu");
    assertThat(ChangeStream.requireValidSlot("2nd_region")).isEqualTo("2nd_region"); // PostgreSQL allows a digit first
    assertThat(ChangeStream.requireValidSlot("s".repeat(63))).hasSize(63);
  }

  @Test
  void aBadNameFailsNamingTheRuleAndWhatBrokeIt() {
    assertThatThrownBy(() -> ChangeStream.requireValidSlot("Tierstate-EU"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 63 characters of a-z, 0-9 and _")
        .hasMessageContaining("'Tierstate-EU' contains 'T' at position 1");
    assertThatThrownBy(() -> ChangeStream.requireValidSlot("tierstate-eu"))
        .hasMessageContaining("contains '-' at position 10");
    assertThatThrownBy(() -> ChangeStream.requireValidSlot("s".repeat(64)))
        .hasMessageContaining("has 64 characters");
    assertThatThrownBy(() -> ChangeStream.requireValidSlot("")).hasMessageContaining("is empty");
    assertThatThrownBy(() -> ChangeStream.requireValidSlot(null)).hasMessageContaining("was null");
  }
}
