package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RedisServerIntegrationTests {

  @Test
  void startsOnAFreeLoopbackPortAndAnswersCommands() {
    try (RedisServer redis = RedisServer.start()) {
      assertThat(redis.isRunning()).isTrue();
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(Path.of(redis.binary())).isExecutable();

      assertThat(redis.command("SET", "k", "v", "PX", "60000")).isEqualTo("OK");
      assertThat(redis.command("GET", "k")).isEqualTo("v");
      assertThat(Long.parseLong(redis.command("PTTL", "k"))).isBetween(1L, 60_000L);
      assertThat(redis.command("GET", "missing")).isNull();
      assertThat(redis.command("INCR", "n")).isEqualTo("1");
      assertThat(redis.command("RPUSH", "list", "a", "b")).isEqualTo("2");
      assertThat(redis.command("LRANGE", "list", "0", "-1")).isEqualTo("a\nb");
      assertThat(redis.command("INCR", "k")).startsWith("ERR:ERR value is not an integer");

      redis.flushAll();
      assertThat(redis.command("DBSIZE")).isEqualTo("0");
    }
  }

  @Test
  void runsWithoutPersistenceAndWithExtraArgs() {
    try (RedisServer redis = RedisServer.builder().args("--maxmemory", "10mb").start()) {
      assertThat(redis.command("CONFIG", "GET", "maxmemory")).isEqualTo("maxmemory\n10485760");
      assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo("save\n");
      assertThat(redis.command("CONFIG", "GET", "appendonly")).isEqualTo("appendonly\nno");
    }
  }

  @Test
  void usesTheRequestedPort() {
    int port = FreePorts.find();
    try (RedisServer redis = RedisServer.builder().port(port).start()) {
      assertThat(redis.port()).isEqualTo(port);
      assertThat(Resp.ping(port, Resp.DEFAULT_TIMEOUT)).isTrue();
    }
  }

  @Test
  void stopThenRestartUsesTheSamePortAndLosesTheData() {
    try (RedisServer redis = RedisServer.start()) {
      int port = redis.port();
      redis.command("SET", "k", "v");

      redis.stop();
      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> Resp.call(port, Resp.DEFAULT_TIMEOUT, "PING"))
          .isInstanceOf(ConnectException.class);

      redis.restart();
      assertThat(redis.isRunning()).isTrue();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.command("GET", "k")).isNull();
    }
  }

  @Test
  void killSimulatesACrashAndRestartRecovers() {
    try (RedisServer redis = RedisServer.start()) {
      int port = redis.port();
      redis.command("SET", "k", "v");

      redis.kill();
      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> redis.command("PING"))
          .hasMessageContaining(redis.uri())
          .hasCauseInstanceOf(ConnectException.class);

      redis.restart();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.command("GET", "k")).isNull();
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void pauseMakesCommandsTimeOutAndResumeAnswersThem() throws IOException {
    try (RedisServer redis = RedisServer.start()) {
      redis.pause();
      assertThat(redis.isRunning()).isTrue();
      assertThatThrownBy(() -> Resp.call(redis.port(), Duration.ofMillis(200), "PING"))
          .isInstanceOf(SocketTimeoutException.class);

      redis.resume();
      assertThat(Resp.call(redis.port(), Duration.ofSeconds(2), "PING")).isEqualTo("PONG");
    }
  }

  @Test
  void stopWorksOnAPausedServer() {
    try (RedisServer redis = RedisServer.start()) {
      redis.pause();
      redis.stop();
      assertThat(redis.isRunning()).isFalse();
      redis.restart();
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void pauseRequiresARunningServer() {
    try (RedisServer redis = RedisServer.start()) {
      redis.stop();
      assertThatThrownBy(redis::pause)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not running");
    }
  }

  @Test
  void closeStopsTheServerAndDeletesItsDirectory() {
    RedisServer redis = RedisServer.start();
    Path dir = redis.directory();
    assertThat(dir.resolve("redis.log")).exists();

    redis.close();
    redis.close();
    assertThat(redis.isRunning()).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    assertThatThrownBy(redis::restart)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was closed");
  }

  @Test
  void aServerThatCannotStartReportsItsLog() {
    assertThatThrownBy(() -> RedisServer.builder().args("--no-such-directive", "1").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no-such-directive");
  }

  @Test
  void aTakenExplicitPortIsReported() {
    try (RedisServer first = RedisServer.start()) {
      assertThatThrownBy(() -> RedisServer.builder().port(first.port()).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + first.port())
          .hasMessageContaining("Address already in use");
    }
  }

  @Test
  void embeddedBinaryIsAWorkingFallback() {
    try (RedisServer redis = RedisServer.builder().binary(RedisBinary.embedded()).start()) {
      assertThat(redis.binary()).isEqualTo(RedisBinary.embedded().toString());
      assertThat(redis.command("INFO", "server")).contains("redis_version:");
      assertThat(redis.command("SET", "k", "v")).isEqualTo("OK");
    }
  }

  @Test
  void rejectsInvalidSettings() {
    assertThatThrownBy(() -> RedisServer.builder().port(70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, was 70000");
    assertThatThrownBy(() -> RedisServer.builder().startupTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void servesTlsWithACertificateForLocalhostThatOnlyItsOwnCaVouchesFor() throws Exception {
    assumeTrue(RedisServer.supportsTls(), "this redis-server was built without TLS");
    TlsCertificates certificates = TlsCertificates.issue();
    try (RedisServer redis = RedisServer.builder().tls(certificates).start()) {
      URI uri = URI.create(redis.tlsUri());
      assertThat(uri.getScheme()).isEqualTo("rediss");
      assertThat(uri.getHost()).isEqualTo("localhost");
      assertThat(redis.command("PING")).isEqualTo("PONG"); // the plain port stays open

      assertThat(certificates.pingOverTls(uri.getPort())).isEqualTo("+PONG");
      TlsCertificates strangers = TlsCertificates.issue();
      assertThatThrownBy(() -> strangers.pingOverTls(uri.getPort())).isInstanceOf(SSLHandshakeException.class);
    }
    try (RedisServer plain = RedisServer.start()) {
      assertThatThrownBy(plain::tlsUri).isInstanceOf(IllegalStateException.class).hasMessageContaining("no TLS port");
    }
  }
}
