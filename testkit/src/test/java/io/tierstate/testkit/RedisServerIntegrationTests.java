package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
    TlsCertificates certificates = TlsCertificates.issue();
    try (RedisServer redis = RedisServer.builder().tls(certificates).start()) {
      URI uri = URI.create(redis.tlsUri());
      assertThat(uri.getScheme()).isEqualTo("rediss");
      assertThat(uri.getHost()).isEqualTo("localhost");
      assertThat(redis.command("PING")).isEqualTo("PONG"); // the plain port stays open

      assertThat(pingOverTls(uri.getPort(), certificates.caFile())).isEqualTo("+PONG");
      Path strangersCa = TlsCertificates.issue().caFile();
      assertThatThrownBy(() -> pingOverTls(uri.getPort(), strangersCa)).isInstanceOf(SSLHandshakeException.class);
    }
    assertThatThrownBy(() -> RedisServer.start().tlsUri()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no TLS port");
  }

  /** PING over TLS to localhost, trusting only the CA in {@code caFile}, verifying the host name. */
  private static String pingOverTls(int port, Path caFile) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }
}
