package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconnectBackoffUnitTests {

  @Test
  void waitsGrowFromTheMinimumToTheMaximumAndStartAgainAfterASuccess() {
    ReconnectBackoff backoff = new ReconnectBackoff();
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      waits.add(backoff.next());
    }

    assertThat(waits.getFirst()).isEqualTo(ReconnectBackoff.MIN);
    assertThat(waits)
        .allSatisfy(wait -> assertThat(wait).isBetween(ReconnectBackoff.MIN, ReconnectBackoff.MAX));
    // Jittered, so not every late wait is long, but the late ones are on average well above the
    // first.
    long lateTotal = waits.subList(7, 12).stream().mapToLong(Duration::toMillis).sum();
    assertThat(lateTotal).isGreaterThan(5 * 4 * ReconnectBackoff.MIN.toMillis());

    backoff.reset();
    assertThat(backoff.next()).isEqualTo(ReconnectBackoff.MIN);
  }
}
