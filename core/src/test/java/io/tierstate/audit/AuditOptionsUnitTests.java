package io.tierstate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuditOptionsUnitTests {
  @Test
  void defaultsAreModestAndCopiesLeaveTheOriginalAlone() {
    AuditOptions defaults = AuditOptions.defaults();
    assertThat(defaults.samplesPerSecond()).isEqualTo(20);
    assertThat(defaults.propagationWindow()).isEqualTo(Duration.ofSeconds(5));
    AuditOptions faster = defaults.samplesPerSecond(100).propagationWindow(Duration.ofSeconds(1));
    assertThat(faster.samplesPerSecond()).isEqualTo(100);
    assertThat(faster.propagationWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(defaults.samplesPerSecond()).isEqualTo(20);
  }

  @Test
  void badValuesAreRefusedWithTheirName() {
    AuditOptions o = AuditOptions.defaults();
    assertThatThrownBy(() -> o.samplesPerSecond(0)).hasMessageContaining("samplesPerSecond");
    assertThatThrownBy(() -> o.samplesPerSecond(1_001)).hasMessageContaining("samplesPerSecond");
    assertThatThrownBy(() -> o.propagationWindow(Duration.ZERO))
        .hasMessageContaining("propagationWindow");
    assertThatThrownBy(() -> o.verifierTimeout(Duration.ofMillis(-1)))
        .hasMessageContaining("verifierTimeout");
    assertThatThrownBy(() -> o.window(Duration.ofMillis(10))).hasMessageContaining("window");
    assertThatThrownBy(() -> o.maxPending(0)).hasMessageContaining("maxPending");
  }
}
