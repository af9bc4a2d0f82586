package io.tierstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each fault of the proxy, seen by a RESP client talking to a real Redis through it. */
class FaultProxyIntegrationTests {
  private static RedisServer redis;
  private FaultProxy proxy;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** A RESP connection through the proxy, with a read timeout. */
  private static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Client(int port, Duration timeout) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) timeout.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    String call(String... args) throws IOException {
      out.write(Resp.encode(args));
      out.flush();
      return Resp.render(Resp.read(in));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static long millisOf(IoCall call) throws IOException {
    long start = System.nanoTime();
    call.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  @FunctionalInterface
  private interface IoCall {
    void run() throws IOException;
  }

  @Test
  void withoutFaultsItForwardsBothWaysAndCountsWhatItCarried() throws IOException {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofSeconds(5))) {
      assertThat(client.call("SET", "fault:k", "v".repeat(100_000))).isEqualTo("OK");
      assertThat(client.call("GET", "fault:k")).hasSize(100_000);
    }
    assertThat(proxy.acceptedConnections()).isEqualTo(1);
    assertThat(proxy.bytesForwarded()).isGreaterThan(200_000);
  }

  @Test
  void latencyDelaysEachRoundTripButNotThePipeline() throws IOException {
    proxy = FaultProxy.to("127.0.0.1", redis.port()).latency(Duration.ofMillis(100), Duration.ZERO);
    try (Client client = new Client(proxy.port(), Duration.ofSeconds(5))) {
      // One way each: a round trip takes at least 200 ms.
      assertThat(millisOf(() -> assertThat(client.call("PING")).isEqualTo("PONG"))).isGreaterThanOrEqualTo(200);
      // 20 pipelined commands share the delay instead of adding it up (20 x 200 ms would be 4 s).
      long pipelined = millisOf(() -> {
        for (int i = 0; i < 20; i++) {
          client.out.write(Resp.encode("INCR", "fault:counter"));
        }
        client.out.flush();
        for (int i = 0; i < 20; i++) {
          Resp.read(client.in);
        }
      });
      assertThat(pipelined).isBetween(200L, 2_000L);
      proxy.heal();
      assertThat(millisOf(() -> client.call("PING"))).isLessThan(150);
    }
  }

  @Test
  void bandwidthCapsThroughput() throws IOException {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofSeconds(10))) {
      client.call("SET", "fault:big", "x".repeat(200_000));
      proxy.bandwidth(100_000); // bytes per second: 200 KB take about 2 s
      long millis = millisOf(() -> assertThat(client.call("GET", "fault:big")).hasSize(200_000));
      assertThat(millis).isGreaterThanOrEqualTo(1_500);
    }
  }

  @Test
  void aPartitionSilencesOpenAndNewConnectionsAndHealingDeliversWhatWasHeld() throws Exception {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofMillis(500))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      proxy.partition();
      assertThatThrownBy(() -> client.call("SET", "fault:partitioned", "1")).isInstanceOf(SocketTimeoutException.class);
      assertThat(redis.command("EXISTS", "fault:partitioned")).isEqualTo("0");
      assertThat(client.socket.isClosed()).isFalse();
      try (Client late = new Client(proxy.port(), Duration.ofMillis(500))) {
        assertThatThrownBy(() -> late.call("PING")).isInstanceOf(SocketTimeoutException.class);
      }
      proxy.heal();
      // The held command reaches Redis, and its late reply reaches the client.
      assertThat(Resp.render(Resp.read(client.in))).isEqualTo("OK");
      assertThat(redis.command("EXISTS", "fault:partitioned")).isEqualTo("1");
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void aOneWayBlackholeRunsCommandsButHoldsTheirReplies() throws Exception {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofMillis(500))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      proxy.blackhole(FaultProxy.Direction.SERVER_TO_CLIENT);
      assertThatThrownBy(() -> client.call("SET", "fault:one-way", "1")).isInstanceOf(SocketTimeoutException.class);
      assertThat(redis.command("GET", "fault:one-way")).as("the command ran; only its reply is held").isEqualTo("1");
      proxy.heal();
      assertThat(Resp.render(Resp.read(client.in))).isEqualTo("OK");
    }
  }

  @Test
  void aOneWayBlackholeTowardsTheServerHoldsCommandsUntilHealed() throws Exception {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofMillis(500))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      proxy.blackhole(FaultProxy.Direction.CLIENT_TO_SERVER);
      assertThatThrownBy(() -> client.call("SET", "fault:held-up", "1")).isInstanceOf(SocketTimeoutException.class);
      assertThat(redis.command("EXISTS", "fault:held-up")).isEqualTo("0");
      proxy.heal();
      assertThat(Resp.render(Resp.read(client.in))).isEqualTo("OK");
      assertThat(redis.command("EXISTS", "fault:held-up")).isEqualTo("1");
    }
  }

  @Test
  void resetConnectionsResetsEveryOpenOneAndLetsNewOnesThrough() throws IOException {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofSeconds(5))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      assertThat(proxy.resetConnections()).isEqualTo(1);
      assertThatThrownBy(() -> {
        client.call("PING");
        client.call("PING");
      }).isInstanceOfAny(SocketException.class, java.io.EOFException.class);
    }
    try (Client again = new Client(proxy.port(), Duration.ofSeconds(5))) {
      assertThat(again.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void halfOpenClosesTheServerSideWhileTheClientSeesAnOpenSilentConnection() throws Exception {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofMillis(500))) {
      assertThat(client.call("CLIENT", "SETNAME", "half-open-victim")).isEqualTo("OK");
      assertThat(proxy.halfOpen()).isEqualTo(1);
      assertThat(Poll.until(Duration.ofSeconds(5), () -> !String.valueOf(redis.command("CLIENT", "LIST"))
          .contains("half-open-victim"))).as("Redis saw the server side close").isTrue();
      // The client writes without an error and waits for a reply that never comes.
      assertThatThrownBy(() -> client.call("PING")).isInstanceOf(SocketTimeoutException.class);
      assertThat(client.socket.isClosed()).isFalse();
    }
  }

  @Test
  void refusingNewConnectionsLeavesOpenOnesWorking() throws IOException {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    try (Client client = new Client(proxy.port(), Duration.ofSeconds(5))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      proxy.refuseNew(true);
      try (Client refused = new Client(proxy.port(), Duration.ofSeconds(5))) {
        assertThatThrownBy(() -> refused.call("PING")).isInstanceOfAny(SocketException.class, java.io.EOFException.class);
      }
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    proxy = FaultProxy.to("127.0.0.1", redis.port());
    assertThatThrownBy(() -> proxy.latency(Duration.ofMillis(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base");
    assertThatThrownBy(() -> proxy.bandwidth(-5)).hasMessageContaining("bytesPerSecond");
    assertThatThrownBy(() -> proxy.blackhole(null)).hasMessageContaining("direction");
    assertThatThrownBy(() -> FaultProxy.to("127.0.0.1", 0)).hasMessageContaining("port");
  }
}
