package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.RedisCommandException;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every call the breaker lets through as its half-open probe must settle it: a probe that ends in
 * neither success nor failure leaves the breaker half-open, and a half-open breaker refuses every
 * other call until something else closes it.
 */
class BreakerProbeIntegrationTests {
  private static final Duration OPEN = Duration.ofMillis(50);
  private static RedisServer redis;
  private static RedisConnector connector;
  private CircuitBreaker breaker;
  private RedisExecutor executor;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
    connector = RedisConnector.connect(TierstateConfig.builder().redisUrl(redis.uri()).build());
    redis.command("RPUSH", "a-list", "x");
  }

  @AfterAll
  static void stopRedis() {
    connector.close();
    redis.close();
  }

  @BeforeEach
  void openBreaker() throws InterruptedException {
    breaker = new CircuitBreaker(1, OPEN);
    executor =
        new RedisExecutor(connector, breaker, new SimpleMeterRegistry(), Duration.ofSeconds(1));
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    Thread.sleep(OPEN.toMillis() + 10); // the open period itself is what is waited out
  }

  @Test
  void aReadProbeThatRedisRefusesClosesTheBreaker() {
    // GET on a list: the direct read sees the error reply and hands the read to Lettuce, which
    // fails it
    assertThatThrownBy(() -> executor.get("a-list"))
        .as("a refused command is not an outage: it reaches the caller")
        .isInstanceOf(RedisCommandException.class)
        .isNotInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("WRONGTYPE");

    assertThat(breaker.state())
        .as("Redis answered, so it is reachable")
        .isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(executor.get("missing")).isNull();
  }

  @Test
  void aCommandProbeThatRedisRefusesClosesTheBreaker() {
    assertThatThrownBy(() -> executor.call("increment a list", commands -> commands.incr("a-list")))
        .as("a refused command is not an outage: it reaches the caller")
        .isInstanceOf(RedisCommandException.class)
        .isNotInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("WRONGTYPE");

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void anInterruptedProbeLetsTheNextCallProbe() {
    // paused, Redis cannot answer before the wait starts, so the wait sees the interrupt
    redis.pause();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> executor.call("read k", commands -> commands.get("k")))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("interrupted");
    } finally {
      Thread.interrupted();
      redis.resume();
    }

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    byte[] value = executor.call("read k", commands -> commands.get("k"));
    assertThat(value).isNull();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
