package io.tierstate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Costs, result fields, bounded self-expiring state, metrics and argument checks on a real Redis.
 */
class RateLimitIntegrationTests {
  private static final Duration DAY = Duration.ofDays(1);
  // long periods, so that nothing refills or rolls over while a test runs
  private static final Map<String, RateLimitPolicy> SLOW =
      Map.of(
          "fixed", RateLimitPolicy.fixedWindow(10, DAY),
          "log", RateLimitPolicy.slidingLog(10, DAY),
          "counter", RateLimitPolicy.slidingWindow(10, DAY),
          "token", RateLimitPolicy.tokenBucket(10, 1, DAY),
          "leaky", RateLimitPolicy.leakyBucket(10, 0.001));

  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private static Nodes nodes;
  private static Tierstate node;

  @BeforeAll
  static void start() {
    nodes = Nodes.onSharedRedis();
    node = nodes.start("a", config -> config.meterRegistry(registry));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  @Test
  void aCostConsumesThatManyUnitsAndResultFieldsAgree() {
    SLOW.forEach(
        (label, policy) -> {
          RateLimiter limiter = node.rateLimiter();
          String id = "cost:" + label;
          RateLimitResult first = limiter.limit(id, policy, 4);
          assertThat(first.allowed()).as(label).isTrue();
          assertThat(first.remaining()).as(label).isEqualTo(6);
          assertThat(first.retryAfter()).as(label).isZero();
          assertThat(first.resetAt()).as(label).isAfter(first.decidedAt());
          assertThat(first.limit()).isEqualTo(10);
          assertThat(first.policy()).isEqualTo(policy.name());
          assertThat(first.source()).isEqualTo(RateLimitResult.Source.REDIS);

          assertThat(limiter.limit(id, policy, 4).remaining()).as(label).isEqualTo(2);

          RateLimitResult denied = limiter.limit(id, policy, 4);
          assertThat(denied.denied()).as(label).isTrue();
          assertThat(denied.remaining())
              .as(label + ": a denied request consumes nothing")
              .isEqualTo(2);
          assertThat(denied.retryAfter()).as(label).isPositive();
          assertThat(denied.resetAt()).as(label).isAfter(denied.decidedAt());
          assertThat(denied.decidedAt().plus(denied.retryAfter()))
              .as(label)
              .isBeforeOrEqualTo(denied.resetAt());

          RateLimitResult last = limiter.limit(id, policy, 2);
          assertThat(last.allowed()).as(label).isTrue();
          assertThat(last.remaining()).as(label).isZero();
          assertThat(limiter.limit(id, policy).denied()).as(label).isTrue();
        });
  }

  @Test
  void everyKeyTheLimiterWritesExpiresByItselfAndTheLogStaysBounded() {
    RedisServer redis = nodes.redis();
    String prefix = nodes.namespace() + ":rl:";
    TreeSet<String> expected = new TreeSet<>();
    SLOW.forEach(
        (label, policy) -> {
          for (int i = 0; i < 30; i++) { // well past the limit: denied requests must not grow state
            node.rateLimiter().limit("ttl:" + label, policy);
          }
          expected.add(prefix + policy.name() + ":{ttl:" + label + "}");
        });
    String logKey = prefix + SLOW.get("log").name() + ":{ttl:log}";
    assertThat(redis.command("ZCARD", logKey)).isEqualTo("10");

    List<String> written =
        Arrays.stream(Objects.requireNonNull(redis.command("KEYS", prefix + "*ttl:*")).split("\n"))
            .filter(k -> !k.isEmpty())
            .toList();
    assertThat(new TreeSet<>(written)).isEqualTo(expected);
    Map<String, Long> ttls =
        written.stream()
            .collect(
                Collectors.toMap(
                    k -> k, k -> Long.parseLong(Objects.requireNonNull(redis.command("PTTL", k)))));
    // each key lives about one period: two windows for the counter, until full for the buckets
    assertThat(ttls).allSatisfy((key, ttl) -> assertThat(ttl).as(key).isPositive());
    assertThat(ttls.get(prefix + SLOW.get("fixed").name() + ":{ttl:fixed}"))
        .isLessThanOrEqualTo(DAY.toMillis());
    assertThat(ttls.get(logKey)).isLessThanOrEqualTo(DAY.toMillis());
    assertThat(ttls.get(prefix + SLOW.get("counter").name() + ":{ttl:counter}"))
        .isLessThanOrEqualTo(2 * DAY.toMillis());
    assertThat(ttls.get(prefix + SLOW.get("token").name() + ":{ttl:token}"))
        .isLessThanOrEqualTo(10 * DAY.toMillis());
    assertThat(ttls.get(prefix + SLOW.get("leaky").name() + ":{ttl:leaky}"))
        .isLessThanOrEqualTo(10_000_000L);
  }

  @Test
  void shortWindowsActuallyExpire() {
    RateLimitPolicy policy = RateLimitPolicy.slidingLog(3, Duration.ofMillis(50));
    node.rateLimiter().limit("short", policy);
    String key = nodes.namespace() + ":rl:" + policy.name() + ":{short}";
    assertThat(nodes.redis().command("EXISTS", key)).isEqualTo("1");
    io.tierstate.testing.Await.until(
        "the log expires", () -> "0".equals(nodes.redis().command("EXISTS", key)));
  }

  @Test
  void decisionsAreCountedByPolicyResultAndSource() {
    RateLimitPolicy policy = RateLimitPolicy.fixedWindow(2, DAY).named("metered");
    for (int i = 0; i < 5; i++) {
      node.rateLimiter().limit("metrics", policy);
    }
    assertThat(
            registry
                .get("tierstate.ratelimit.decisions")
                .tags("policy", "metered", "result", "allowed", "source", "redis")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("tierstate.ratelimit.decisions")
                .tags("policy", "metered", "result", "denied", "source", "redis")
                .counter()
                .count())
        .isEqualTo(3);
  }

  @Test
  void badIdentifiersAndCostsAreRefusedBeforeReachingRedis() {
    RateLimiter limiter = node.rateLimiter();
    RateLimitPolicy policy = RateLimitPolicy.fixedWindow(5, DAY).named("bad");
    assertThatThrownBy(() -> limiter.limit("", policy))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate-limit identifier is invalid: key must not be empty");
    assertThatThrownBy(() -> limiter.limit("x".repeat(513), policy))
        .hasMessageStartingWith("rate-limit identifier is invalid: key 'xxx")
        .hasMessageEndingWith("is 513 characters long, more than the maximum of 512");
    assertThat(limiter.limit("y".repeat(512), policy).allowed()).isTrue();
    assertThatThrownBy(() -> limiter.limit("user 1", policy))
        .hasMessageContaining("contains whitespace at index 4");
    assertThatThrownBy(() -> limiter.limit("a}b", policy))
        .hasMessageContaining("reserved character '}'");
    assertThatThrownBy(() -> limiter.limit("ok", policy, 0))
        .hasMessage("cost must be between 1 and the limit 5 of policy 'bad', but was 0");
    assertThatThrownBy(() -> limiter.limit("ok", policy, -3))
        .hasMessage("cost must be between 1 and the limit 5 of policy 'bad', but was -3");
    assertThatThrownBy(() -> limiter.limit("ok", policy, 6))
        .hasMessage(
            "cost must be between 1 and the limit 5 of policy 'bad', but was 6;"
                + " such a request could never be allowed");
    assertThat(nodes.redis().command("EXISTS", nodes.namespace() + ":rl:bad:{ok}")).isEqualTo("0");
  }
}
