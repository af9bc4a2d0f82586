package io.tierstate.internal.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.tierstate.RedisEndpoint;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Tierstate's Redis connections: one shared, multiplexed connection for commands (Lettuce
 * pipelines concurrent commands on it), and dedicated connections for blocking reads. Works the
 * same for standalone, Sentinel and Cluster endpoints: callers see Lettuce's cluster-compatible
 * command interfaces, and every key Tierstate sends through one script shares a hash slot.
 *
 * <p>When Redis is unreachable at start-up and it is not required, the connector keeps trying in
 * the background and commands fail fast with {@link RedisUnavailableException} until it connects.
 * Once connected, Lettuce reconnects by itself; while disconnected, commands are rejected at once
 * instead of queued, so the {@link CircuitBreaker} sees failures without waiting for timeouts.
 *
 * <p>Thread-safe. Internal to Tierstate: obtain Redis features through {@code Tierstate}.
 */
public final class RedisConnector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final TierstateConfig config;
  private final RedisEndpoint endpoint;
  private final ClientResources resources;
  private final @Nullable RedisClient client;
  private final @Nullable RedisClusterClient clusterClient;
  private static final Duration RECONNECT_DELAY_MIN = Duration.ofMillis(10);
  private static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(2);

  /** At most one adaptive Cluster topology refresh in this time (Lettuce's default: 30 s). */
  static final Duration ADAPTIVE_REFRESH_EVERY = Duration.ofSeconds(1);

  /** Failed reconnects to one Cluster node before they trigger a topology refresh (default 5). */
  static final int RECONNECTS_BEFORE_REFRESH = 2;

  /** The Cluster topology is read again at least this often, whatever happens. */
  static final Duration PERIODIC_REFRESH = Duration.ofSeconds(10);

  private final ScheduledExecutorService reconnector;
  private final @Nullable DirectReads directReads;
  private volatile @Nullable StatefulConnection<String, byte[]> connection;
  private volatile @Nullable RedisClusterAsyncCommands<String, byte[]> async;
  private volatile @Nullable RedisClusterCommands<String, byte[]> sync;
  private volatile boolean closed;

  private RedisConnector(TierstateConfig config) {
    this.config = config;
    this.endpoint = config.redisEndpoint();
    // Lettuce's default reconnect backoff grows to 30 s, which would keep a node degraded for up to
    // 30 s after Redis is back; a cache wants to be back within a couple of seconds. The jitter
    // spreads the reconnects of many nodes.
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.equalJitter(
                    RECONNECT_DELAY_MIN, RECONNECT_DELAY_MAX, 2, TimeUnit.MILLISECONDS))
            .build();
    List<RedisURI> uris = endpoint.toRedisUris(config);
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts =
        TimeoutOptions.builder()
            .timeoutSource(new CommandTimeouts(config.commandTimeout()))
            .build();
    KeyManagerFactory clientKeys =
        config
            .redisTlsClientCertificate()
            .map(
                certificate ->
                    TlsTrust.keyManagers(certificate.certificateFile(), certificate.keyFile()))
            .orElse(null);
    SslOptions ssl = sslOptions(config, clientKeys);
    if (endpoint.mode() == RedisEndpoint.Mode.CLUSTER) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(
          ClusterClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              .sslOptions(ssl)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      // Lettuce's default lets one adaptive refresh in 30 s: the refresh that a
                      // dead master's failing reconnects trigger comes before its replica is
                      // promoted and suppressed the one after it, so nodes reached the promoted
                      // replica only at the next periodic refresh (17 s later in the fault suite).
                      .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_EVERY)
                      .refreshTriggersReconnectAttempts(RECONNECTS_BEFORE_REFRESH)
                      .enablePeriodicRefresh(PERIODIC_REFRESH)
                      .build())
              .build());
      this.clusterClient = cluster;
      this.client = null;
    } else {
      RedisClient standalone = RedisClient.create(resources, uris.get(0));
      standalone.setOptions(
          ClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .socketOptions(socket)
              .timeoutOptions(timeouts)
              .sslOptions(ssl)
              .build());
      this.client = standalone;
      this.clusterClient = null;
    }
    this.directReads = directReads(uris, clientKeys);
    this.reconnector =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tierstate-redis-connect");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * The node ids of the Cluster masters that serve slots, in the topology Lettuce knows now (empty
   * on other deployments). An id that appears between two calls is a promoted replica or a new
   * master: writes the master it replaced acknowledged and had not replicated may be lost. Slots
   * moving between known masters (a migration, which moves the data) change nothing here.
   */
  public Set<String> clusterMasters() {
    RedisClusterClient cluster = clusterClient;
    if (cluster == null) {
      return Set.of();
    }
    Set<String> masters = new HashSet<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.getRole().isUpstream() && !node.getSlots().isEmpty()) {
        masters.add(node.getNodeId());
      }
    }
    return masters;
  }

  /**
   * Lettuce's TLS settings: the JDK's TLS, trusting the configured CA file or else the JVM's CAs,
   * and presenting the client certificate if there is one.
   */
  private static SslOptions sslOptions(
      TierstateConfig config, @Nullable KeyManagerFactory clientKeys) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    config.redisTlsCaFile().ifPresent(caFile -> ssl.trustManager(caFile.toFile()));
    if (clientKeys != null) {
      ssl.keyManager(clientKeys);
    }
    return ssl.build();
  }

  /**
   * Reads on the caller's thread, unless they are turned off or the credentials come from a
   * provider that may change them (Lettuce re-authenticates; these would not). Over TLS they trust
   * the same CAs as Lettuce's connections, and check host names as Lettuce does by default.
   */
  private @Nullable DirectReads directReads(
      List<RedisURI> uris, @Nullable KeyManagerFactory clientKeys) {
    RedisURI first = uris.get(0);
    if (config.directReadConnections() == 0
        || !(first.getCredentialsProvider()
            instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider credentials)) {
      return null;
    }
    SSLSocketFactory tls =
        endpoint.tls()
            ? TlsTrust.socketFactory(config.redisTlsCaFile().orElse(null), clientKeys)
            : null;
    RedisClusterClient cluster = clusterClient;
    // These connections are opened by a reader, which should not wait longer than for a command.
    Duration connectTimeout =
        config.connectTimeout().compareTo(config.commandTimeout()) < 0
            ? config.connectTimeout()
            : config.commandTimeout();
    DirectReads.Router router =
        switch (endpoint.mode()) {
          case STANDALONE -> ReadRouters.standalone(first);
          case SENTINEL ->
              ReadRouters.sentinel(
                  first.getSentinels(),
                  requireNonNull(endpoint.sentinelMasterId()),
                  connectTimeout,
                  config.commandTimeout(),
                  tls);
          case CLUSTER -> ReadRouters.cluster(requireNonNull(cluster)::getPartitions);
        };
    return new DirectReads(
        router,
        config.directReadConnections(),
        credentials.resolveCredentialsNow(),
        first.getDatabase(),
        connectTimeout,
        config.commandTimeout(),
        tls);
  }

  /**
   * Connects to the configured endpoint. If Redis cannot be reached and the configuration says it
   * is required, fails; otherwise returns a connector that keeps trying in the background.
   *
   * @throws RedisUnavailableException if Redis is required and cannot be reached
   */
  public static RedisConnector connect(TierstateConfig config) {
    RedisConnector connector = new RedisConnector(config);
    try {
      connector.connectOnce();
    } catch (RuntimeException e) {
      if (config.redisRequired()) {
        connector.close();
        throw new RedisUnavailableException(
            "Redis is required (REDIS_REQUIRED=true) but "
                + connector.endpoint
                + " could not be reached: "
                + e.getMessage()
                + ". Start Redis, fix REDIS_URL, or set REDIS_REQUIRED=false to start in degraded mode.",
            e);
      }
      log.warn(
          "Redis at {} is unreachable ({}); starting in degraded mode and retrying in the background",
          connector.endpoint,
          e.getMessage());
      connector.scheduleReconnect(Duration.ofMillis(200));
    }
    return connector;
  }

  private void connectOnce() {
    StatefulConnection<String, byte[]> fresh = openConnection();
    if (fresh instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      this.sync = cluster.sync();
      this.async = cluster.async();
    } else {
      StatefulRedisConnection<String, byte[]> standalone =
          (StatefulRedisConnection<String, byte[]>) fresh;
      this.sync = standalone.sync();
      this.async = standalone.async();
    }
    this.connection = fresh;
  }

  private StatefulConnection<String, byte[]> openConnection() {
    if (clusterClient != null) {
      return clusterClient.connect(CODEC);
    }
    return requireClient().connect(CODEC);
  }

  private RedisClient requireClient() {
    RedisClient standalone = client;
    if (standalone == null) {
      throw new IllegalStateException("no standalone client for a cluster endpoint");
    }
    return standalone;
  }

  private void scheduleReconnect(Duration delay) {
    if (closed) {
      return;
    }
    Future<?> unused =
        reconnector.schedule(
            () -> {
              if (closed || connection != null) {
                return;
              }
              try {
                connectOnce();
                log.info("Connected to Redis at {}", endpoint);
              } catch (RuntimeException e) {
                log.debug("Redis still unreachable: {}", e.getMessage());
                scheduleReconnect(Duration.ofMillis(Math.min(delay.toMillis() * 2, 5_000)));
              }
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /**
   * The shared asynchronous commands.
   *
   * @throws RedisUnavailableException if there is no connection yet
   */
  public RedisClusterAsyncCommands<String, byte[]> async() {
    RedisClusterAsyncCommands<String, byte[]> commands = async;
    if (commands == null) {
      throw new RedisUnavailableException("not connected to Redis at " + endpoint + " yet");
    }
    return commands;
  }

  /**
   * The shared synchronous commands.
   *
   * @throws RedisUnavailableException if there is no connection yet
   */
  public RedisClusterCommands<String, byte[]> sync() {
    RedisClusterCommands<String, byte[]> commands = sync;
    if (commands == null) {
      throw new RedisUnavailableException("not connected to Redis at " + endpoint + " yet");
    }
    return commands;
  }

  /** Whether the shared connection exists and is currently open. */
  public boolean isConnected() {
    StatefulConnection<String, byte[]> current = connection;
    return current != null && current.isOpen();
  }

  /**
   * The longest a blocking read (XREAD BLOCK) may ask the server to wait; such commands time out
   * after this plus the command timeout.
   */
  public static final Duration MAX_BLOCKING_WAIT = Duration.ofSeconds(5);

  /**
   * The command timeout for every command, plus {@link #MAX_BLOCKING_WAIT} for blocking reads: with
   * one fixed timeout, a read that blocks longer than the timeout would always time out.
   */
  private static final class CommandTimeouts extends TimeoutOptions.TimeoutSource {
    private final long commandNanos;

    CommandTimeouts(Duration commandTimeout) {
      this.commandNanos = commandTimeout.toNanos();
    }

    @Override
    public long getTimeout(RedisCommand<?, ?, ?> command) {
      ProtocolKeyword type = command.getType();
      if (type == CommandType.XREAD || type == CommandType.XREADGROUP) {
        return commandNanos + MAX_BLOCKING_WAIT.toNanos();
      }
      return commandNanos;
    }

    @Override
    public TimeUnit getTimeUnit() {
      return TimeUnit.NANOSECONDS;
    }
  }

  /**
   * Opens a new connection of its own, for blocking reads that must not stall the shared one (they
   * may block for up to {@link #MAX_BLOCKING_WAIT}). The caller closes it.
   *
   * @throws RedisUnavailableException if Redis cannot be reached
   */
  public DedicatedConnection openDedicated() {
    try {
      StatefulConnection<String, byte[]> fresh = openConnection();
      return new DedicatedConnection(fresh);
    } catch (RuntimeException e) {
      throw new RedisUnavailableException(
          "cannot open a connection to Redis at " + endpoint + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a new publish/subscribe connection (in Cluster mode, one that receives messages published
   * on any node). Lettuce reconnects it by itself and subscribes again to its channels and patterns
   * once reconnected. The caller closes it.
   *
   * @throws RedisUnavailableException if Redis cannot be reached
   */
  public StatefulRedisPubSubConnection<String, byte[]> openPubSub() {
    try {
      if (clusterClient != null) {
        return clusterClient.connectPubSub(CODEC);
      }
      return requireClient().connectPubSub(CODEC);
    } catch (RuntimeException e) {
      throw new RedisUnavailableException(
          "cannot open a pub/sub connection to Redis at " + endpoint + ": " + e.getMessage(), e);
    }
  }

  /** Reads on the caller's thread, or null when they are turned off. */
  @Nullable DirectReads directReads() {
    return directReads;
  }

  /** The endpoint this connector talks to. */
  public RedisEndpoint endpoint() {
    return endpoint;
  }

  /** The configuration this connector was made from. */
  public TierstateConfig config() {
    return config;
  }

  @Override
  public void close() {
    closed = true;
    reconnector.shutdownNow();
    if (directReads != null) {
      directReads.close();
    }
    StatefulConnection<String, byte[]> current = connection;
    if (current != null) {
      current.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (clusterClient != null) {
      clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
  }

  /** A connection of its own, for blocking reads. Not shared; close it when done. */
  public static final class DedicatedConnection implements AutoCloseable {
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterCommands<String, byte[]> sync;
    private final RedisClusterAsyncCommands<String, byte[]> async;

    DedicatedConnection(StatefulConnection<String, byte[]> connection) {
      this.connection = connection;
      if (connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
        this.sync = cluster.sync();
        this.async = cluster.async();
      } else {
        StatefulRedisConnection<String, byte[]> standalone =
            (StatefulRedisConnection<String, byte[]>) connection;
        this.sync = standalone.sync();
        this.async = standalone.async();
      }
    }

    /** Synchronous commands on this connection. */
    public RedisClusterCommands<String, byte[]> sync() {
      return sync;
    }

    /** Asynchronous commands on this connection. */
    public RedisClusterAsyncCommands<String, byte[]> async() {
      return async;
    }

    /**
     * Who serves {@code key} now: the server's run id, and on a Cluster the id of the master that
     * owns the key's slot with its run id (a promoted replica has another node id). A change means
     * a restart or failover: writes acknowledged before it may be lost. Null if the server hides
     * {@code INFO} (some managed services do) or the owner is unknown.
     */
    public @Nullable String serverIdentity(String key) {
      if (connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
        RedisClusterNode owner = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
        if (owner == null) {
          return null;
        }
        String runId = runId(cluster.getConnection(owner.getNodeId()).sync().info("server"));
        return owner.getNodeId() + "/" + runId;
      }
      return runId(sync.info("server"));
    }

    private static @Nullable String runId(String info) {
      for (String line : info.lines().toList()) {
        if (line.startsWith("run_id:")) {
          return line.substring("run_id:".length()).trim();
        }
      }
      return null;
    }

    /** Whether the connection is open. */
    public boolean isOpen() {
      return connection.isOpen();
    }

    /** Closes the connection; closing it again does nothing. */
    @Override
    public void close() {
      if (connection.isOpen()) {
        connection.close();
      }
    }
  }
}
