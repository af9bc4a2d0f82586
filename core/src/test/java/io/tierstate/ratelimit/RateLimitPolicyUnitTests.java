package io.tierstate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.ratelimit.RateLimitPolicy.Presets;
import io.tierstate.ratelimit.RateLimitPolicy.Unavailable;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitPolicyUnitTests {
  private static final Duration MINUTE = Duration.ofMinutes(1);

  @Test
  void limitsBelowOneAreRefusedNamingTheArgumentAndValue() {
    assertThatThrownBy(() -> RateLimitPolicy.fixedWindow(0, MINUTE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be >= 1, but was 0");
    assertThatThrownBy(() -> RateLimitPolicy.slidingLog(-5, MINUTE))
        .hasMessage("limit must be >= 1, but was -5");
    assertThatThrownBy(() -> RateLimitPolicy.slidingWindow(0, MINUTE))
        .hasMessage("limit must be >= 1, but was 0");
    assertThatThrownBy(() -> RateLimitPolicy.tokenBucket(0, 1.0))
        .hasMessage("capacity must be >= 1, but was 0");
    assertThatThrownBy(() -> RateLimitPolicy.leakyBucket(-1, 1.0))
        .hasMessage("capacity must be >= 1, but was -1");
    assertThatThrownBy(() -> RateLimitPolicy.tokenBucket(5, 0, MINUTE))
        .hasMessage("refillAmount must be >= 1, but was 0");
    assertThatThrownBy(() -> RateLimitPolicy.slidingLog(100_001, MINUTE))
        .hasMessageStartingWith(
            "limit of a sliding log must be at most 100000 (one entry per unit), but was 100001");
  }

  @Test
  void windowsOutsideOneMillisecondToMaxPeriodAreRefused() {
    assertThatThrownBy(() -> RateLimitPolicy.fixedWindow(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be at least 1 ms, but was PT0S");
    assertThatThrownBy(() -> RateLimitPolicy.slidingWindow(1, Duration.ofMillis(-5)))
        .hasMessage("window must be at least 1 ms, but was PT-0.005S");
    assertThatThrownBy(() -> RateLimitPolicy.slidingLog(1, Duration.ofNanos(999_999)))
        .hasMessage("window must be at least 1 ms, but was PT0.000999999S");
    assertThatThrownBy(() -> RateLimitPolicy.fixedWindow(1, Duration.ofDays(367)))
        .hasMessage("window must be at most PT8784H, but was PT8808H");
    assertThatThrownBy(() -> RateLimitPolicy.tokenBucket(1, 1, Duration.ZERO))
        .hasMessage("refillPeriod must be at least 1 ms, but was PT0S");
    assertThat(RateLimitPolicy.fixedWindow(1, Duration.ofMillis(1)).period())
        .isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void ratesMustBePositiveAndFinite() {
    assertThatThrownBy(() -> RateLimitPolicy.tokenBucket(1, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("refillPerSecond must be a positive finite number, but was 0.0");
    assertThatThrownBy(() -> RateLimitPolicy.tokenBucket(1, -2.0))
        .hasMessage("refillPerSecond must be a positive finite number, but was -2.0");
    assertThatThrownBy(() -> RateLimitPolicy.leakyBucket(1, Double.NaN))
        .hasMessage("leakPerSecond must be a positive finite number, but was NaN");
    assertThatThrownBy(() -> RateLimitPolicy.leakyBucket(1, Double.POSITIVE_INFINITY))
        .hasMessage("leakPerSecond must be a positive finite number, but was Infinity");
    assertThatThrownBy(() -> RateLimitPolicy.leakyBucket(1, 1e-12))
        .hasMessageContaining("is too slow");
  }

  @Test
  void namesAreValidatedLikeKeysWithoutColons() {
    RateLimitPolicy policy = RateLimitPolicy.fixedWindow(100, MINUTE);
    assertThat(policy.name()).isEqualTo("fixed-window-100-per-60000ms");
    assertThat(RateLimitPolicy.tokenBucket(20, 2.5).name())
        .isEqualTo("token-bucket-20-refill-2.5-per-1000ms");
    assertThat(RateLimitPolicy.leakyBucket(20, 2.0).name())
        .isEqualTo("leaky-bucket-20-leak-2-per-1000ms");
    assertThatThrownBy(() -> policy.named(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policy name is invalid: key must not be empty");
    assertThatThrownBy(() -> policy.named("a b"))
        .hasMessageContaining("contains whitespace at index 1");
    assertThatThrownBy(() -> policy.named("a{b}")).hasMessageContaining("reserved character '{'");
    assertThatThrownBy(() -> policy.named("a:b"))
        .hasMessage("policy name 'a:b' must not contain ':', found at index 1");
    assertThatThrownBy(() -> policy.named("x".repeat(101)))
        .hasMessageEndingWith("is 101 characters long, more than the maximum of 100");
  }

  @Test
  void presetsHaveDocumentedNamesAndFallbacks() {
    assertThat(Presets.api().name()).isEqualTo("api");
    assertThat(Presets.api().limit()).isEqualTo(100);
    assertThat(Presets.api().redisUnavailableBehaviour()).isEqualTo(Unavailable.LOCAL);
    assertThat(Presets.auth().name()).isEqualTo("auth");
    assertThat(Presets.auth().redisUnavailableBehaviour()).isEqualTo(Unavailable.DENY);
    assertThat(Presets.upload().name()).isEqualTo("upload");
    assertThat(Presets.search().name()).isEqualTo("search");
    assertThat(RateLimitPolicy.fixedWindow(1, MINUTE).redisUnavailableBehaviour())
        .isEqualTo(Unavailable.LOCAL);
    assertThat(Presets.api().whenRedisUnavailable(Unavailable.ALLOW).redisUnavailableBehaviour())
        .isEqualTo(Unavailable.ALLOW);
    assertThat(Presets.api()).isEqualTo(Presets.api()).hasSameHashCodeAs(Presets.api());
  }
}
