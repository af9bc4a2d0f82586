package io.tierstate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on a loopback port between a client (a Tierstate node, a JDBC pool) and a server
 * (Redis, PostgreSQL) that injects network faults on demand, for fault tests.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start();
 *      FaultProxy proxy = FaultProxy.to("127.0.0.1", redis.port())) {
 *   String uri = "redis://127.0.0.1:" + proxy.port();   // give this to the node under test
 *   proxy.latency(Duration.ofMillis(100), Duration.ofMillis(20));
 *   proxy.partition();                                  // nothing flows either way...
 *   proxy.heal();                                       // ...until now: no faults at all
 * }
 * }</pre>
 *
 * <p>The faults, each on every open connection and on new ones until {@link #heal()}:
 *
 * <ul>
 *   <li>{@link #latency}: each chunk of bytes is delivered {@code base ± jitter} after it was read,
 *       in order, without limiting throughput (chunks in flight overlap, as on a long link);
 *   <li>{@link #bandwidth}: at most that many bytes per second each way, per connection;
 *   <li>{@link #partition()}: nothing is read or forwarded and nothing is closed; both ends see an
 *       established connection that has gone silent, as during a real partition, where TCP keeps
 *       retransmitting. New connections are accepted but not connected onwards. On heal, held bytes
 *       flow again (a client that gave up meanwhile gets late replies, as it would for real);
 *   <li>{@link #blackhole(Direction)}: the same, one way only (an asymmetric partition): for
 *       example commands reach the server and run, but their replies are held;
 *   <li>{@link #resetConnections()}: every open connection is reset (RST) on both sides, at once;
 *   <li>{@link #halfOpen()}: the server side of every open connection is closed while the client
 *       side stays open and silent: the client never learns its connection died, until it times
 *       out or its keep-alive notices. New connections are not affected.
 *   <li>{@link #refuseNew(boolean)}: new connections are closed at once (a server that is down).
 * </ul>
 *
 * <p>Each connection runs two pumps (one per direction) on virtual threads, each split into a
 * reader and a writer so that latency does not serialize the stream. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;
  /** Bytes held per direction before the reader stops reading (TCP back-pressure then applies). */
  private static final int MAX_IN_FLIGHT_CHUNKS = 256;

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong bytesForwarded = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // Guarded by lock.
  private long latencyNanos;
  private long jitterNanos;
  private long bytesPerSecond;
  private boolean partitioned;
  private boolean holdingUp;
  private boolean holdingDown;
  private boolean refusing;
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
  }

  /** Starts a proxy on a free loopback port that forwards to {@code host:port}. */
  public static FaultProxy to(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1 to 65535, but was " + port);
    }
    ServerSocket listener;
    try {
      listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on a loopback port", e);
    }
    FaultProxy proxy = new FaultProxy(new InetSocketAddress(host, port), listener);
    Thread.ofVirtual().name("fault-proxy-accept-" + listener.getLocalPort()).start(proxy::acceptLoop);
    return proxy;
  }

  /** The loopback port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** {@code redis://127.0.0.1:port}: the proxy's address as a Redis URI. */
  public String redisUri() {
    return "redis://127.0.0.1:" + port();
  }

  /** Delays every chunk by {@code base} plus a uniform random {@code ±jitter} (never below zero). */
  public FaultProxy latency(Duration base, Duration jitter) {
    requireNonNegative(base, "base");
    requireNonNegative(jitter, "jitter");
    update(() -> {
      latencyNanos = base.toNanos();
      jitterNanos = jitter.toNanos();
    });
    return this;
  }

  /** Caps each direction of each connection at {@code bytesPerSecond}; 0 lifts the cap. */
  public FaultProxy bandwidth(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be 0 (no cap) or more, but was " + bytesPerSecond);
    }
    update(() -> this.bytesPerSecond = bytesPerSecond);
    return this;
  }

  /** Stops all traffic without closing anything (see the class comment). */
  public FaultProxy partition() {
    update(() -> partitioned = true);
    return this;
  }

  /** A direction of traffic through the proxy. */
  public enum Direction {
    /** From the client to the server: commands, queries. */
    CLIENT_TO_SERVER,
    /** From the server to the client: replies. */
    SERVER_TO_CLIENT
  }

  /**
   * Holds every byte going one way, on open and new connections, while the other way flows: an
   * asymmetric partition. With {@link Direction#SERVER_TO_CLIENT} the server receives and runs
   * every command but the client never sees a reply (it times out on a write that was applied);
   * with {@link Direction#CLIENT_TO_SERVER} nothing the client sends arrives. Held bytes flow on
   * {@link #heal()}.
   */
  public FaultProxy blackhole(Direction direction) {
    Objects.requireNonNull(direction, "direction");
    update(() -> {
      if (direction == Direction.CLIENT_TO_SERVER) {
        holdingUp = true;
      } else {
        holdingDown = true;
      }
    });
    return this;
  }

  /** Whether new connections are closed at once. */
  public FaultProxy refuseNew(boolean refuse) {
    update(() -> refusing = refuse);
    return this;
  }

  /** Resets every open connection on both sides (RST, not FIN); returns how many there were. */
  public int resetConnections() {
    int count = 0;
    for (Link link : links) {
      link.reset();
      count++;
    }
    return count;
  }

  /**
   * Closes the server side of every open connection and leaves the client side open and silent;
   * returns how many connections were cut.
   */
  public int halfOpen() {
    int count = 0;
    for (Link link : links) {
      link.cutServerSide();
      count++;
    }
    return count;
  }

  /** Lifts every fault: no latency, no cap, no partition, new connections accepted. */
  public FaultProxy heal() {
    update(() -> {
      latencyNanos = 0;
      jitterNanos = 0;
      bytesPerSecond = 0;
      partitioned = false;
      holdingUp = false;
      holdingDown = false;
      refusing = false;
    });
    return this;
  }

  /** Connections accepted since the start. */
  public long acceptedConnections() {
    return accepted.get();
  }

  /** Connections open now (client side). */
  public int openConnections() {
    return links.size();
  }

  /** Bytes forwarded in either direction since the start (counted as they are handed to the socket). */
  public long bytesForwarded() {
    return bytesForwarded.get();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    closed = true;
    update(() -> {
      partitioned = false; // wakes the pumps so that they see the close
      holdingUp = false;
      holdingDown = false;
    });
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    links.forEach(Link::close);
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort() + "]";
  }

  private static void requireNonNegative(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, but was " + duration);
    }
  }

  private void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      Thread.ofVirtual().name("fault-proxy-link").start(() -> open(client));
    }
  }

  private void open(Socket client) {
    try {
      client.setTcpNoDelay(true);
      awaitTraffic(); // during a partition the connection is accepted but goes nowhere
      if (isRefusing() || closed) {
        client.close();
        return;
      }
      Socket server = new Socket();
      server.setTcpNoDelay(true);
      server.connect(target, 5_000);
      Link link = new Link(client, server);
      links.add(link);
      link.start();
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
    }
  }

  private boolean isRefusing() {
    lock.lock();
    try {
      return refusing;
    } finally {
      lock.unlock();
    }
  }

  /** Waits while the proxy is partitioned. */
  private void awaitTraffic() throws InterruptedException {
    lock.lock();
    try {
      while (partitioned && !closed) {
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits while traffic going this way is held (a partition, or a one-way blackhole). */
  private void awaitTraffic(boolean clientToServer) throws InterruptedException {
    lock.lock();
    try {
      while ((partitioned || (clientToServer ? holdingUp : holdingDown)) && !closed) {
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /** When a chunk read now should be delivered, in nanoTime. */
  private long deliveryTime(long readAt) {
    lock.lock();
    try {
      long jitter = jitterNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterNanos, jitterNanos + 1);
      return readAt + Math.max(0, latencyNanos + jitter);
    } finally {
      lock.unlock();
    }
  }

  private long cap() {
    lock.lock();
    try {
      return bytesPerSecond;
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** One proxied connection: a client socket, a server socket, and a pump each way. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private volatile boolean serverCut;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      new Pump(client, server, true).start();
      new Pump(server, client, false).start();
    }

    void reset() {
      for (Socket socket : new Socket[] {client, server}) {
        try {
          socket.setSoLinger(true, 0); // close sends RST
        } catch (SocketException ignored) {
          // closed already
        }
        closeQuietly(socket);
      }
      links.remove(this);
    }

    void cutServerSide() {
      serverCut = true;
      closeQuietly(server);
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
      links.remove(this);
    }

    /** Copies one direction: a reader that timestamps chunks, a writer that delivers them on time. */
    private final class Pump {
      private final Socket from;
      private final Socket to;
      private final boolean clientToServer;
      private final BlockingQueue<Chunk> inFlight = new ArrayBlockingQueue<>(MAX_IN_FLIGHT_CHUNKS);

      Pump(Socket from, Socket to, boolean clientToServer) {
        this.from = from;
        this.to = to;
        this.clientToServer = clientToServer;
      }

      void start() {
        String direction = clientToServer ? "up" : "down";
        // Platform threads, not virtual ones: closing a socket that a platform thread is reading
        // closes it at once (with SO_LINGER 0, an RST right away), while for a virtual reader the
        // JDK defers the close until that thread is scheduled again, which under load left a
        // reset connection open for seconds.
        Thread.ofPlatform().daemon().name("fault-proxy-read-" + direction).start(this::read);
        Thread.ofPlatform().daemon().name("fault-proxy-write-" + direction).start(this::write);
      }

      private void read() {
        // The streams are not closed here: closing one closes its socket, which the half-open
        // fault must keep open. Link.close() closes the sockets.
        try {
          InputStream in = from.getInputStream();
          byte[] buffer = new byte[CHUNK];
          while (true) {
            awaitTraffic(clientToServer);
            int n = in.read(buffer);
            if (n < 0) {
              break;
            }
            inFlight.put(new Chunk(Arrays.copyOf(buffer, n), deliveryTime(System.nanoTime())));
          }
        } catch (IOException | InterruptedException e) {
          // the socket closed or was reset
        }
        endOfStream();
      }

      private void endOfStream() {
        try {
          inFlight.put(Chunk.END);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      private void write() {
        try {
          OutputStream out = to.getOutputStream();
          while (true) {
            Chunk chunk = inFlight.take();
            if (chunk.isEnd()) {
              break;
            }
            long wait = chunk.deliverAt - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(Duration.ofNanos(wait));
            }
            awaitTraffic(clientToServer); // bytes read before a partition are held too
            writeCapped(out, chunk.bytes);
          }
        } catch (IOException | InterruptedException e) {
          // the socket closed or was reset
        }
        finish();
      }

      private void writeCapped(OutputStream out, byte[] bytes) throws IOException, InterruptedException {
        int offset = 0;
        while (offset < bytes.length) {
          long cap = cap();
          int length = cap == 0 ? bytes.length - offset : (int) Math.min(bytes.length - offset, Math.max(1, cap / 20));
          // Counted before the write, so that a peer that has read the bytes always finds them counted.
          bytesForwarded.addAndGet(length);
          out.write(bytes, offset, length);
          out.flush();
          offset += length;
          if (cap > 0) {
            Thread.sleep(Duration.ofNanos(1_000_000_000L * length / cap));
          }
        }
      }

      /**
       * One direction ended: close the whole link, as the peer would see its partner go away,
       * unless the server side was cut on purpose (half-open), when the client side stays open.
       */
      private void finish() {
        if (!serverCut) {
          Link.this.close();
        }
      }
    }
  }

  /** Bytes read at one moment, and when to deliver them; or the end of the stream. */
  private static final class Chunk {
    static final Chunk END = new Chunk(new byte[0], 0);

    final byte[] bytes;
    final long deliverAt;

    Chunk(byte[] bytes, long deliverAt) {
      this.bytes = bytes;
      this.deliverAt = deliverAt;
    }

    boolean isEnd() {
      return bytes.length == 0;
    }
  }
}
