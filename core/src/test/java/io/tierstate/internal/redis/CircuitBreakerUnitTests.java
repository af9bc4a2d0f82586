package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerUnitTests {
  @Test
  void opensAfterConsecutiveFailuresAndProbesAfterTheOpenPeriod() throws InterruptedException {
    CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofMillis(50));
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess(); // resets the run
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.allowRequest()).isFalse();

    Thread.sleep(60); // the open period itself is what is tested
    assertThat(breaker.allowRequest()).isTrue(); // the probe
    assertThat(breaker.allowRequest()).isFalse(); // only one
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    Thread.sleep(60);
    assertThat(breaker.allowRequest()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.timesOpened()).isEqualTo(2);
  }
}
