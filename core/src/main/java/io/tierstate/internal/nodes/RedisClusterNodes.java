package io.tierstate.internal.nodes;

import io.lettuce.core.Range;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.HotKey;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.metrics.MeterNames;
import io.tierstate.nodes.ClusterNode;
import io.tierstate.nodes.ClusterNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ClusterNodes} on Redis: see the interface for the layout and the rules. Thread-safe. */
public final class RedisClusterNodes implements ClusterNodes {
  /** The most nodes {@link #list()} returns (the most recent heartbeats first). */
  static final int MAX_LISTED = 1_000;

  private static final Logger log = LoggerFactory.getLogger(ClusterNodes.class);
  private static final String VERSION = readVersion();

  private final RedisExecutor redis;
  private final String setKey;
  private final String hashPrefix;
  private final String nodeId;
  private final String host;
  private final Duration interval;
  private final Duration retention;
  private final LongSupplier l1Size;
  private final Supplier<List<HotKey>> hotKeys;
  private final MeterRegistry registry;
  private final Clock clock;
  private final long startedAtMillis;
  private final ScheduledExecutorService scheduler;
  private volatile boolean failing;
  private volatile boolean closed;

  RedisClusterNodes(
      RedisExecutor redis,
      String namespace,
      String nodeId,
      Duration interval,
      Duration retention,
      LongSupplier l1Size,
      Supplier<List<HotKey>> hotKeys,
      MeterRegistry registry,
      Clock clock) {
    this.redis = redis;
    this.setKey = namespace + ":nodes";
    this.hashPrefix = namespace + ":node:";
    this.nodeId = nodeId;
    this.host = localHost();
    this.interval = interval;
    this.retention = retention;
    this.l1Size = l1Size;
    this.hotKeys = hotKeys;
    this.registry = registry;
    this.clock = clock;
    this.startedAtMillis = clock.millis();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tierstate-nodes-" + nodeId);
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts announcing this node: the first heartbeat at once (in the background), then one every
   * {@link TierstateConfig#nodeHeartbeat()}. Internal: applications obtain the nodes through {@code
   * Tierstate}.
   *
   * @param l1Size this node's L1 entry count, read at every heartbeat
   * @param hotKeys this node's hot keys, read at every heartbeat
   * @param registry where the invalidation lag ({@link MeterNames#INVALIDATION_LAG}) is read
   */
  public static RedisClusterNodes start(
      RedisExecutor redis,
      TierstateConfig config,
      LongSupplier l1Size,
      Supplier<List<HotKey>> hotKeys,
      MeterRegistry registry) {
    RedisClusterNodes nodes =
        new RedisClusterNodes(
            redis,
            config.namespace(),
            config.nodeId(),
            config.nodeHeartbeat(),
            RETENTION,
            l1Size,
            hotKeys,
            registry,
            Clock.systemUTC());
    nodes.startHeartbeat();
    return nodes;
  }

  void startHeartbeat() {
    Future<?> unused =
        scheduler.scheduleWithFixedDelay(
            this::heartbeat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** This node's id. */
  @Override
  public String nodeId() {
    return nodeId;
  }

  /**
   * Every node of this namespace that announced itself within {@link #RETENTION}: live ones first,
   * then the most recent heartbeat first.
   *
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  @Override
  public List<ClusterNode> list() {
    long now = clock.millis();
    List<byte[]> ids =
        redis.call(
            "list nodes",
            r -> {
              var unused =
                  r.zremrangebyscore(
                      setKey,
                      Range.create(Double.NEGATIVE_INFINITY, (double) now - retentionMillis()));
              return r.zrevrange(setKey, 0, MAX_LISTED - 1);
            });
    if (ids.isEmpty()) {
      return List.of();
    }
    List<Map<String, byte[]>> hashes =
        redis.call(
            "read nodes",
            r -> {
              List<CompletableFuture<Map<String, byte[]>>> reads = new ArrayList<>(ids.size());
              for (byte[] id : ids) {
                reads.add(r.hgetall(hashPrefix + text(id)).toCompletableFuture());
              }
              return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                  .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
            });
    List<ClusterNode> nodes = new ArrayList<>(ids.size());
    List<String> forgotten = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      ClusterNode node = parse(hashes.get(i), now);
      if (node == null) {
        forgotten.add(text(ids.get(i))); // its hash expired, or is not one of ours
      } else {
        nodes.add(node);
      }
    }
    if (!forgotten.isEmpty()) {
      byte[][] members = forgotten.stream().map(RedisClusterNodes::bytes).toArray(byte[][]::new);
      redis.call("forget nodes", r -> r.zrem(setKey, members));
    }
    nodes.sort(
        Comparator.comparing(ClusterNode::status)
            .thenComparing(ClusterNode::lastHeartbeat, Comparator.reverseOrder()));
    return nodes;
  }

  private long retentionMillis() {
    return retention.toMillis();
  }

  private @Nullable ClusterNode parse(Map<String, byte[]> hash, long now) {
    try {
      String id = field(hash, "id");
      long started = Long.parseLong(field(hash, "startedAt"));
      long heartbeat = Long.parseLong(field(hash, "heartbeatAt"));
      long intervalMillis = Long.parseLong(field(hash, "intervalMs"));
      byte[] stopped = hash.get("stoppedAt");
      boolean live =
          stopped == null && now - heartbeat <= MISSED_HEARTBEATS * Math.max(1, intervalMillis);
      long until = live ? now : stopped != null ? Long.parseLong(text(stopped)) : heartbeat;
      return new ClusterNode(
          id,
          field(hash, "host"),
          field(hash, "version"),
          Instant.ofEpochMilli(started),
          Instant.ofEpochMilli(heartbeat),
          Duration.ofMillis(intervalMillis),
          Duration.ofMillis(Math.max(0, until - started)),
          Long.parseLong(field(hash, "l1Size")),
          Duration.ofMillis(Long.parseLong(field(hash, "lagMs"))),
          live ? ClusterNode.Status.LIVE : ClusterNode.Status.STOPPED,
          decodeHotKeys(hash.get("hotKeys")));
    } catch (IllegalArgumentException e) { // a missing field, or not a number
      return null;
    }
  }

  private static String field(Map<String, byte[]> hash, String name) {
    byte[] value = hash.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no field " + name);
    }
    return text(value);
  }

  private void heartbeat() {
    if (closed) {
      return;
    }
    try {
      announce(null);
      if (failing) {
        log.info("Node heartbeat reaches Redis again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn(
            "Node heartbeat failed ({}); other nodes may list this one as stopped", e.toString());
        failing = true;
      }
    }
  }

  /** Writes this node's hash and moves its score; with {@code stoppedAt}, marks it stopped. */
  private void announce(@Nullable Long stoppedAt) {
    long now = clock.millis();
    Map<String, byte[]> fields = new LinkedHashMap<>();
    fields.put("id", bytes(nodeId));
    fields.put("host", bytes(host));
    fields.put("version", bytes(VERSION));
    fields.put("startedAt", bytes(Long.toString(startedAtMillis)));
    fields.put("heartbeatAt", bytes(Long.toString(now)));
    fields.put("intervalMs", bytes(Long.toString(interval.toMillis())));
    fields.put("l1Size", bytes(Long.toString(l1Size.getAsLong())));
    fields.put("lagMs", bytes(Long.toString(invalidationLagMillis())));
    fields.put("hotKeys", bytes(encodeHotKeys(hotKeys.get())));
    if (stoppedAt != null) {
      fields.put("stoppedAt", bytes(Long.toString(stoppedAt)));
    }
    String hashKey = hashPrefix + nodeId;
    redis.call(
        "node heartbeat",
        r -> {
          CompletableFuture<?> hset = r.hset(hashKey, fields).toCompletableFuture();
          CompletableFuture<?> expire = r.pexpire(hashKey, retentionMillis()).toCompletableFuture();
          CompletableFuture<?> zadd =
              r.zadd(setKey, (double) now, bytes(nodeId)).toCompletableFuture();
          return CompletableFuture.allOf(hset, expire, zadd);
        });
  }

  /**
   * One line per key, {@code <reads per second> <key>}, hottest first: keys hold no whitespace
   * ({@link io.tierstate.keys.CacheKeys#requireValidKey}), so a space and a newline separate them
   * unambiguously. At most 20 keys of at most 512 characters: about 10 KB per heartbeat at worst.
   */
  static String encodeHotKeys(List<HotKey> hot) {
    StringBuilder text = new StringBuilder();
    for (HotKey key : hot) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(String.format(Locale.ROOT, "%.3f", key.readsPerSecond()))
          .append(' ')
          .append(key.key());
    }
    return text.toString();
  }

  /**
   * The hot keys a heartbeat carried; none for a node that announced none (sampling off, or a
   * version before hot keys). A malformed line is skipped rather than failing the listing: one
   * node's odd field must not hide every node.
   */
  static List<HotKey> decodeHotKeys(byte @Nullable [] field) {
    if (field == null || field.length == 0) {
      return List.of();
    }
    List<HotKey> hot = new ArrayList<>();
    for (String line : text(field).lines().toList()) {
      int space = line.indexOf(' ');
      if (space <= 0 || space == line.length() - 1) {
        continue;
      }
      try {
        hot.add(
            new HotKey(line.substring(space + 1), Double.parseDouble(line.substring(0, space))));
      } catch (IllegalArgumentException e) {
        // not a number, or a negative or infinite one: skip the line
      }
    }
    return hot;
  }

  /** The windowed maximum of the invalidation lag timer, in whole milliseconds. */
  private long invalidationLagMillis() {
    Timer lag = registry.find(MeterNames.INVALIDATION_LAG).timer();
    return lag == null ? 0 : (long) Math.ceil(lag.max(TimeUnit.MILLISECONDS));
  }

  /** Stops the heartbeat without a goodbye, as a crash would: for tests. */
  void halt() {
    closed = true;
    scheduler.shutdownNow();
  }

  /**
   * Stops announcing this node and marks it stopped in Redis (if Redis can be reached; else the
   * other nodes see it stop after {@value #MISSED_HEARTBEATS} missed heartbeats). Closing again
   * does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS); // a heartbeat in flight must not follow
      announce(clock.millis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.debug("Could not mark node {} stopped in Redis: {}", nodeId, e.toString());
    }
  }

  private static String localHost() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String readVersion() {
    try (InputStream in = ClusterNodes.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "");
        if (!version.isBlank() && !version.startsWith("${")) {
          return version;
        }
      }
    } catch (IOException e) {
      // fall through: an unknown version is not worth failing a start for
    }
    return "unknown";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
