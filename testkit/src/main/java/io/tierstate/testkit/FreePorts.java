package io.tierstate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds free TCP ports on 127.0.0.1. A port is free when this JVM can bind it now; another process
 * may take it before Redis does, which is why {@link RedisServer} retries on "Address already in
 * use". Ports handed out once are not handed out again by this JVM. Thread-safe.
 */
final class FreePorts {
  /** The address every server binds; an IPv4 literal so it never resolves to ::1. */
  static final InetAddress LOOPBACK = loopback();

  /** Redis Cluster listens on its bus port at this offset from the client port. */
  static final int CLUSTER_BUS_OFFSET = 10_000;

  private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** Returns a port that is free now and was not returned before by this JVM. */
  static int find() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ephemeralPort();
      if (handedOut.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port found on 127.0.0.1 after 100 attempts");
  }

  /** Returns a free port whose cluster bus port ({@code port + 10000}) is free too. */
  static int findWithBusPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ephemeralPort();
      int bus = port + CLUSTER_BUS_OFFSET;
      if (bus <= 65_535 && isFree(bus) && handedOut.add(port)) {
        handedOut.add(bus);
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port pair (port, port + 10000) found on 127.0.0.1 after 100 attempts");
  }

  /** Whether a port can be bound on 127.0.0.1 right now. */
  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(LOOPBACK, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralPort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(LOOPBACK, 0), 1);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind any port on 127.0.0.1", e);
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("a 4-byte address is always valid", e);
    }
  }
}
