package io.tierstate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.ratelimit.RateLimitPolicy.Unavailable;
import io.tierstate.ratelimit.RateLimitResult.Source;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With its Redis killed, each policy answers as its {@link Unavailable} says, and says so. */
class RateLimitUnavailableIntegrationTests {
  private static final Duration DAY = Duration.ofDays(1);
  private RedisServer redis;
  private Nodes nodes;
  private Tierstate node;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    node = nodes.start("a");
  }

  @AfterEach
  void stop() {
    nodes.close();
    redis.close();
  }

  @Test
  void allowLetsEveryRequestThrough() {
    RateLimitPolicy policy =
        RateLimitPolicy.fixedWindow(1, DAY).whenRedisUnavailable(Unavailable.ALLOW);
    assertThat(node.rateLimiter().limit("u", policy).source()).isEqualTo(Source.REDIS);
    redis.kill();
    for (int i = 0; i < 5; i++) {
      RateLimitResult r = node.rateLimiter().limit("u", policy);
      assertThat(r.allowed()).isTrue();
      assertThat(r.source()).isEqualTo(Source.FALLBACK_ALLOW);
      assertThat(r.retryAfter()).isZero();
    }
  }

  @Test
  void denyRefusesEveryRequestWithARetryHint() {
    RateLimitPolicy policy = RateLimitPolicy.Presets.auth();
    redis.kill();
    for (int i = 0; i < 3; i++) {
      RateLimitResult r = node.rateLimiter().limit("login:alice", policy);
      assertThat(r.denied()).isTrue();
      assertThat(r.source()).isEqualTo(Source.FALLBACK_DENY);
      assertThat(r.retryAfter()).isPositive();
      assertThat(r.remaining()).isZero();
    }
  }

  @Test
  void localStillEnforcesTheLimitOnThisNode() {
    List<RateLimitPolicy> policies =
        List.of(
            RateLimitPolicy.fixedWindow(3, DAY),
            RateLimitPolicy.slidingLog(3, DAY),
            RateLimitPolicy.slidingWindow(3, DAY),
            RateLimitPolicy.tokenBucket(3, 1, DAY),
            RateLimitPolicy.leakyBucket(3, 0.001));
    redis.kill();
    for (RateLimitPolicy policy : policies) {
      List<Boolean> allowed = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        RateLimitResult r = node.rateLimiter().limit("local", policy);
        assertThat(r.source()).as(policy.name()).isEqualTo(Source.LOCAL);
        allowed.add(r.allowed());
        if (r.denied()) {
          assertThat(r.retryAfter()).as(policy.name()).isPositive();
        }
      }
      assertThat(allowed).as(policy.name()).containsExactly(true, true, true, false, false, false);
      // cost counts locally too
      assertThat(node.rateLimiter().limit("local-cost", policy, 3).remaining())
          .as(policy.name())
          .isZero();
    }

    redis.restart();
    RateLimitPolicy policy = policies.getFirst();
    Await.until(
        "decisions go back to Redis",
        () -> node.rateLimiter().limit("back", policy).source() == Source.REDIS);
  }
}
