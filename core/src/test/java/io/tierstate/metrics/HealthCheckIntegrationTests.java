package io.tierstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.internal.metrics.NodeHealthChecks;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The health report against a real Redis that is stopped, killed, paused and filled. */
class HealthCheckIntegrationTests {
  private RedisServer redis;
  private Nodes nodes;

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static HealthStatus status(Tierstate node) {
    return node.metrics().healthCheck().status();
  }

  @Test
  void aNodeOnAHealthyRedisIsHealthyWithEveryCheck() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a");

    HealthReport report = node.metrics().healthCheck();

    assertThat(report.status()).as("%s", report).isEqualTo(HealthStatus.HEALTHY);
    assertThat(report.checks())
        .extracting(HealthCheck::name)
        .containsExactly(
            "redis.ping",
            "redis.roundtrip",
            "redis.memory",
            "redis.breaker",
            "invalidations",
            "l1.size",
            "writebehind.lag",
            "writebehind.writer");
    assertThat(report.check("writebehind.lag").orElseThrow().status())
        .isEqualTo(HealthStatus.HEALTHY);
    assertThat(report.check("writebehind.writer").orElseThrow().status())
        .isEqualTo(HealthStatus.HEALTHY);
    assertThat(report.check("redis.ping").orElseThrow().details()).containsKey("latencyMillis");
    assertThat(report.check("redis.roundtrip").orElseThrow().details())
        .containsKeys("setMillis", "getMillis", "deleteMillis");
    assertThat(report.check("redis.memory").orElseThrow().message()).contains("no maxmemory");
    assertThat(report.checkedAt()).isNotNull();
    // the health key is deleted again
    assertThat(redis.command("EXISTS", nodes.namespace() + ":health:a")).isEqualTo("0");
  }

  @Test
  void redisLossDegradesTheNodeAndItRecoversWithoutARestart() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a");
    assertThat(status(node)).isEqualTo(HealthStatus.HEALTHY);

    redis.stop();
    HealthReport down = node.metrics().healthCheck();
    assertThat(down.status()).as("%s", down).isEqualTo(HealthStatus.DEGRADED);
    assertThat(down.check("redis.ping").orElseThrow().status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(down.check("redis.ping").orElseThrow().message()).contains("unreachable");

    redis.restart();
    Await.until(
        "healthy again", () -> status(node) == HealthStatus.HEALTHY, Duration.ofSeconds(20));
  }

  @Test
  void redisLossIsUnhealthyWhenRedisIsRequired() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a", builder -> builder.redisRequired(true));
    assertThat(status(node)).isEqualTo(HealthStatus.HEALTHY);

    redis.kill();
    HealthReport down = node.metrics().healthCheck();
    assertThat(down.status()).as("%s", down).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(down.check("redis.ping").orElseThrow().message()).contains("REDIS_REQUIRED");

    redis.restart();
    Await.until(
        "healthy again", () -> status(node) == HealthStatus.HEALTHY, Duration.ofSeconds(20));
  }

  @Test
  void aPausedRedisDoesNotMakeTheHealthCheckHang() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a"); // command timeout 500 ms
    redis.pause();
    try {
      long start = System.nanoTime();
      HealthReport report = node.metrics().healthCheck();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(Duration.ofMillis(1_000));
      assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
      assertThat(report.check("redis.ping").orElseThrow().message()).contains("timed out");
    } finally {
      redis.resume();
    }
    Await.until(
        "healthy again", () -> status(node) == HealthStatus.HEALTHY, Duration.ofSeconds(20));
  }

  @Test
  void redisMemoryAboveEightyPercentOfMaxmemoryIsDegraded() {
    redis = RedisServer.builder().args("--maxmemory", "2mb").start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a");
    HealthCheck before = node.metrics().healthCheck().check("redis.memory").orElseThrow();
    assertThat(before.details()).containsEntry("maxBytes", 2L * 1024 * 1024);

    String chunk = "x".repeat(20_000);
    int i = 0;
    while (usedRatio() < 0.84) {
      assertThat(redis.command("SET", "filler:" + i++, chunk)).isEqualTo("OK");
    }

    HealthReport report = node.metrics().healthCheck();
    HealthCheck memory = report.check("redis.memory").orElseThrow();
    assertThat(memory.status()).as("%s", memory).isEqualTo(HealthStatus.DEGRADED);
    assertThat(memory.message()).contains("of maxmemory used");
    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
  }

  private double usedRatio() {
    String info = redis.command("INFO", "memory");
    return (double) NodeHealthChecks.infoField(info, "used_memory")
        / NodeHealthChecks.infoField(info, "maxmemory");
  }

  @Test
  void registeredChecksJoinTheReportAndTheirWorstStatusWins() {
    redis = RedisServer.start();
    nodes = new Nodes(redis);
    Tierstate node = nodes.start("a");
    node.metrics()
        .registerCheck(
            "write-behind.lag",
            () -> HealthCheck.Result.degraded("lag 42 s").withDetail("lagSeconds", 42));
    node.metrics()
        .registerCheck(
            "broken",
            () -> {
              throw new IllegalStateException("boom");
            });

    HealthReport report = node.metrics().healthCheck();
    assertThat(report.check("write-behind.lag").orElseThrow().details())
        .containsEntry("lagSeconds", 42);
    assertThat(report.check("broken").orElseThrow().status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(report.status()).isEqualTo(HealthStatus.UNHEALTHY);

    node.metrics().unregisterCheck("broken");
    assertThat(status(node)).isEqualTo(HealthStatus.DEGRADED);
  }
}
