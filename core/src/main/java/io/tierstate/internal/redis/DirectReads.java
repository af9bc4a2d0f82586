package io.tierstate.internal.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCredentials;
import io.tierstate.RedisUnavailableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ({@code GET}, {@code MGET}, {@code HGETALL}) and short scripts that run on every request (a
 * rate limit's {@code EVALSHA}) on the caller's thread, over a small pool of blocking connections
 * per Redis server, next to Lettuce's shared connection.
 *
 * <p>Why: a command through Lettuce crosses threads twice (the caller hands the write to Netty's
 * event loop, the event loop hands the reply back), and on a machine with few cores each hand-off
 * costs about as much as the loopback round trip itself. A read written and read on the caller's
 * thread costs one round trip. Lettuce keeps everything else (writes, scripts, pub/sub, blocking
 * stream reads), and it keeps the reads this class does not serve:
 *
 * <ul>
 *   <li>when every pooled connection to the server is in use, the read goes through Lettuce at once
 *       instead of waiting for one, so a burst of concurrent readers is pipelined on the shared
 *       connection as before;
 *   <li>when a pooled connection fails (Redis restarted, a failover closed it), it is dropped with
 *       the other idle ones to that server, and the read is retried through Lettuce, which
 *       reconnects and decides whether Redis is down;
 *   <li>on an error reply, including a Cluster redirect ({@code MOVED}, {@code ASK}): Lettuce
 *       follows redirects and refreshes its topology.
 * </ul>
 *
 * <p>Only a read that times out fails here, as it would through Lettuce: retrying would double the
 * wait on a server that is slow or paused.
 *
 * <p>Where a read goes: the standalone server; behind Sentinel, the primary named by the Sentinels
 * (and confirmed with {@code ROLE} on each new connection: Sentinel closes client connections of a
 * demoted primary, so a pooled connection never outlives a failover); on a Cluster, the primary
 * that owns the key's slot in Lettuce's current topology, with {@code MGET} sent as a pipeline of
 * {@code GET}s to each primary (one {@code MGET} must not span slots).
 *
 * <p>Thread-safe. Internal to Tierstate.
 */
final class DirectReads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectReads.class);
  private static final byte[] GET = bytes("GET");
  private static final byte[] MGET = bytes("MGET");
  private static final byte[] HGETALL = bytes("HGETALL");
  private static final byte[] EVALSHA = bytes("EVALSHA");
  private static final byte[] ONE = bytes("1");

  /** After a failed connect, how long reads go through Lettuce before connecting is tried again. */
  private static final long CONNECT_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();

  /** A read's reply; {@code value} is null when the key does not exist. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Reply(byte @Nullable [] value) {}

  /** Where the commands for a key go, or null when this class cannot tell. */
  interface Router {
    @Nullable InetSocketAddress serverFor(String key);

    /** Whether one {@code MGET} may name keys of any slot: false on a Cluster. */
    boolean multiKeyReads();

    /** Forgets what it learnt about where to go, after a connection to {@code address} failed. */
    default void failed(InetSocketAddress address) {}

    /** Checks a new connection before it is used; throws if it must not serve reads. */
    default void verify(RespConnection connection) throws IOException {}
  }

  private final Router router;
  private final int maxPerServer;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final @Nullable SSLSocketFactory tls;
  private final List<byte[][]> handshake;
  private final Map<InetSocketAddress, Pool> pools = new ConcurrentHashMap<>();
  private final Function<InetSocketAddress, Pool> newPool = Pool::new;
  private volatile boolean closed;

  /**
   * @param router where reads go
   * @param maxPerServer most connections kept to one server
   * @param credentials the data nodes' credentials, or null if they need none
   * @param database the database to select
   * @param tls sockets for TLS, or null for plain TCP
   */
  DirectReads(
      Router router,
      int maxPerServer,
      @Nullable RedisCredentials credentials,
      int database,
      Duration connectTimeout,
      Duration readTimeout,
      @Nullable SSLSocketFactory tls) {
    this.router = router;
    this.maxPerServer = maxPerServer;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.tls = tls;
    this.handshake = handshake(credentials, database);
  }

  /** The commands that prepare a new connection: AUTH and SELECT, as Lettuce sends them. */
  private static List<byte[][]> handshake(@Nullable RedisCredentials credentials, int database) {
    List<byte[][]> commands = new ArrayList<>();
    if (credentials != null && credentials.hasPassword()) {
      byte[] password = bytes(new String(credentials.getPassword()));
      commands.add(
          credentials.hasUsername()
              ? new byte[][] {bytes("AUTH"), bytes(credentials.getUsername()), password}
              : new byte[][] {bytes("AUTH"), password});
    }
    if (database != 0) {
      commands.add(new byte[][] {bytes("SELECT"), bytes(Integer.toString(database))});
    }
    return List.copyOf(commands);
  }

  /**
   * {@code GET key} on the caller's thread, or null if this read is left to Lettuce.
   *
   * @throws RedisUnavailableException if Redis did not answer within the command timeout
   */
  @Nullable Reply get(String key) {
    Object reply = send(key, GET, bytes(key));
    if (reply == null) {
      return new Reply(null);
    }
    return reply instanceof byte[] value ? new Reply(value) : null;
  }

  /**
   * {@code HGETALL key} on the caller's thread (empty when the key does not exist), or null if this
   * read is left to Lettuce.
   *
   * @throws RedisUnavailableException if Redis did not answer within the command timeout
   */
  @Nullable Map<String, byte[]> hgetall(String key) {
    Object reply = send(key, HGETALL, bytes(key));
    if (!(reply instanceof List<?> flat) || flat.size() % 2 != 0) {
      return null;
    }
    Map<String, byte[]> fields = new LinkedHashMap<>(flat.size());
    for (int i = 0; i < flat.size(); i += 2) {
      if (!(flat.get(i) instanceof byte[] name) || !(flat.get(i + 1) instanceof byte[] value)) {
        return null;
      }
      fields.put(new String(name, StandardCharsets.UTF_8), value);
    }
    return fields;
  }

  /**
   * {@code EVALSHA sha 1 key args...} on the caller's thread: the array the script returns, or null
   * if the call is left to Lettuce (no free connection, an error reply such as {@code NOSCRIPT} or
   * a redirect, a reply that is not an array, a connection that failed). For short scripts of one
   * key that are safe to run again: a connection that fails after the command was sent leaves the
   * call to Lettuce, so the script may have run once already (a rate limit then counts one request
   * twice).
   *
   * @throws RedisUnavailableException if Redis did not answer within the command timeout
   */
  @Nullable List<Object> evalsha(String sha, String key, byte[]... args) {
    byte[][] command = new byte[4 + args.length][];
    command[0] = EVALSHA;
    command[1] = bytes(sha);
    command[2] = ONE;
    command[3] = bytes(key);
    for (int i = 0; i < args.length; i++) {
      command[4 + i] = args[i];
    }
    Object reply = send(key, command);
    if (!(reply instanceof List<?> values)) {
      return null;
    }
    return new ArrayList<>(values);
  }

  /**
   * {@code MGET keys} on the caller's thread, or null if this read is left to Lettuce. On a
   * Cluster, where one {@code MGET} must not span slots, a pipeline of {@code GET}s per primary
   * instead, all primaries at once.
   *
   * @throws RedisUnavailableException if Redis did not answer within the command timeout
   */
  @Nullable List<KeyValue<String, byte[]>> mget(String[] keys) {
    if (keys.length == 0) {
      return null;
    }
    if (!router.multiKeyReads()) {
      return pipelinedGets(keys);
    }
    byte[][] args = new byte[keys.length + 1][];
    args[0] = MGET;
    for (int i = 0; i < keys.length; i++) {
      args[i + 1] = bytes(keys[i]);
    }
    Object reply = send(keys[0], args);
    if (!(reply instanceof List<?> values) || values.size() != keys.length) {
      return null;
    }
    List<KeyValue<String, byte[]>> result = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      Object value = values.get(i);
      if (value != null && !(value instanceof byte[])) {
        return null;
      }
      result.add(KeyValue.fromNullable(keys[i], (byte[]) value));
    }
    return result;
  }

  /** {@code GET} each key, pipelined per server: write to every server, then read every reply. */
  private @Nullable List<KeyValue<String, byte[]>> pipelinedGets(String[] keys) {
    Map<Pool, List<Integer>> byServer = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      Pool pool = poolFor(keys[i]);
      if (pool == null) {
        return null;
      }
      byServer.computeIfAbsent(pool, p -> new ArrayList<>()).add(i);
    }
    List<Pool> servers = new ArrayList<>(byServer.keySet());
    List<List<Integer>> groups = new ArrayList<>(byServer.values());
    RespConnection[] connections = new RespConnection[servers.size()];
    for (int s = 0; s < connections.length; s++) {
      RespConnection connection = servers.get(s).borrow();
      if (connection == null) {
        for (int b = 0; b < s; b++) {
          servers.get(b).giveBack(connections[b]);
        }
        return null;
      }
      connections[s] = connection;
    }
    byte[] @Nullable [] values = new byte[keys.length][];
    boolean served = true;
    int current = 0;
    int drained = 0; // connections[0 .. drained) have no reply left to read
    try {
      for (current = 0; current < connections.length; current++) {
        for (int i : groups.get(current)) {
          connections[current].write(GET, bytes(keys[i]));
        }
        connections[current].flush();
      }
      for (current = 0; current < connections.length; current++) {
        for (int i : groups.get(current)) {
          Object reply = connections[current].read();
          if (reply == null || reply instanceof byte[]) {
            values[i] = (byte[]) reply;
          } else {
            served = false; // an error, a redirect: read on, then leave the whole read to Lettuce
          }
        }
        drained++;
      }
    } catch (SocketTimeoutException e) {
      release(servers, connections, drained);
      throw new RedisUnavailableException(
          "Redis at "
              + connections[current].address()
              + " did not answer within "
              + readTimeout.toMillis()
              + " ms",
          e);
    } catch (IOException | RuntimeException e) {
      release(servers, connections, drained);
      if (!Thread.currentThread().isInterrupted()) {
        log.debug(
            "Direct read connection to {} failed ({}); reading through the shared connection",
            connections[current].address(),
            e.toString());
        servers.get(current).dropIdle();
        router.failed(connections[current].address());
      }
      return null;
    }
    release(servers, connections, connections.length);
    if (!served) {
      return null;
    }
    List<KeyValue<String, byte[]>> result = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++) {
      result.add(KeyValue.fromNullable(keys[i], values[i]));
    }
    return result;
  }

  /**
   * Gives back the first {@code inStep} connections and drops the others, whose replies are unread.
   */
  private static void release(List<Pool> servers, RespConnection[] connections, int inStep) {
    for (int s = 0; s < connections.length; s++) {
      if (s < inStep) {
        servers.get(s).giveBack(connections[s]);
      } else {
        servers.get(s).drop(connections[s]);
      }
    }
  }

  private @Nullable Pool poolFor(String key) {
    InetSocketAddress server = router.serverFor(key);
    return server == null ? null : pools.computeIfAbsent(server, newPool);
  }

  /** Marks a read left to Lettuce; a reply can be null, so null cannot. */
  private static final Object NOT_SERVED = new Object();

  /**
   * One command to the server of {@code key}, on a pooled connection; NOT_SERVED if there is none
   * free.
   */
  private @Nullable Object send(String key, byte[]... command) {
    Pool pool = poolFor(key);
    RespConnection connection = pool == null ? null : pool.borrow();
    if (pool == null || connection == null) {
      return NOT_SERVED;
    }
    return exchange(pool, connection, command);
  }

  /**
   * One command and its reply on a borrowed connection, which goes back to the pool or is dropped.
   */
  private @Nullable Object exchange(Pool pool, RespConnection connection, byte[]... command) {
    Object reply;
    try {
      reply = connection.call(command);
    } catch (SocketTimeoutException e) {
      pool.drop(connection);
      throw new RedisUnavailableException(
          "Redis at "
              + connection.address()
              + " did not answer within "
              + readTimeout.toMillis()
              + " ms",
          e);
    } catch (IOException | RuntimeException e) {
      pool.drop(connection);
      if (Thread.currentThread().isInterrupted()) {
        return NOT_SERVED; // the interrupt closed this connection; the others are fine
      }
      log.debug(
          "Direct read connection to {} failed ({}); reading through the shared connection",
          connection.address(),
          e.toString());
      pool.dropIdle();
      router.failed(connection.address());
      return NOT_SERVED;
    }
    pool.giveBack(connection);
    return reply instanceof RespConnection.ErrorReply ? NOT_SERVED : reply;
  }

  /** How many connections are open, in use or idle, over all servers. */
  int openConnections() {
    int open = 0;
    for (Pool pool : pools.values()) {
      open += pool.open.get();
    }
    return open;
  }

  /** How many connections are idle, over all servers. */
  int idleConnections() {
    int idle = 0;
    for (Pool pool : pools.values()) {
      idle += pool.idle.size();
    }
    return idle;
  }

  @Override
  public void close() {
    closed = true;
    pools.values().forEach(Pool::dropIdle);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The connections to one server: idle ones, last used first, and a count of all open ones. */
  private final class Pool {
    final InetSocketAddress address;
    final ConcurrentLinkedDeque<RespConnection> idle = new ConcurrentLinkedDeque<>();
    final AtomicInteger open = new AtomicInteger();
    volatile long connectAgainAt;

    Pool(InetSocketAddress address) {
      this.address = address;
      this.connectAgainAt = System.nanoTime(); // nanoTime may be negative: no fixed origin
    }

    /** An idle connection, a new one if there is room, or null: never waits for another reader. */
    @Nullable RespConnection borrow() {
      RespConnection connection = idle.pollFirst();
      if (connection != null || closed) {
        return connection;
      }
      if (System.nanoTime() - connectAgainAt < 0) {
        return null;
      }
      if (open.incrementAndGet() > maxPerServer) {
        open.decrementAndGet();
        return null;
      }
      try {
        return connect();
      } catch (IOException | RuntimeException e) {
        open.decrementAndGet();
        connectAgainAt = System.nanoTime() + CONNECT_BACKOFF_NANOS;
        router.failed(address);
        log.debug(
            "Cannot open a direct read connection to {} ({}); reading through the shared"
                + " connection for a while",
            address,
            e.toString());
        return null;
      }
    }

    private RespConnection connect() throws IOException {
      RespConnection connection = RespConnection.open(address, connectTimeout, readTimeout, tls);
      try {
        for (byte[][] command : handshake) {
          connection.write(command);
        }
        connection.flush();
        for (byte[][] command : handshake) {
          if (connection.read() instanceof RespConnection.ErrorReply error) {
            throw new IOException(
                "Redis refused "
                    + new String(command[0], StandardCharsets.UTF_8)
                    + ": "
                    + error.message());
          }
        }
        router.verify(connection);
        return connection;
      } catch (IOException | RuntimeException e) {
        connection.close();
        throw e;
      }
    }

    void giveBack(RespConnection connection) {
      if (closed) {
        drop(connection);
        return;
      }
      idle.offerFirst(connection);
    }

    void drop(RespConnection connection) {
      connection.close();
      open.decrementAndGet();
    }

    void dropIdle() {
      for (RespConnection connection = idle.pollFirst();
          connection != null;
          connection = idle.pollFirst()) {
        drop(connection);
      }
    }
  }
}
