package io.tierstate.internal.cache;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.ReconnectBackoff;
import io.tierstate.internal.redis.RedisConnector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replayable log that carries invalidations between nodes: a Redis Stream ({@code ns:log},
 * trimmed to about {@code invalidationLogMaxLength} entries). Every node appends what it wrote or
 * invalidated ({@link RedisTier}, behind the writes), and tails the log here, on a dedicated
 * connection with XREAD BLOCK.
 *
 * <p>A stream, unlike pub/sub, keeps what a disconnected node missed: after a reconnect the node
 * replays from the last entry it saw. It clears its L1 instead when it cannot prove it saw
 * everything: Redis restarted or failed over (its run id changed, on a Cluster the log slot's owner
 * or its run id; or the stream's last id went back), or the stream was trimmed past the node's
 * position. While the listener is down, L1 entries are trusted only for the degraded TTL.
 *
 * <p>Where Redis itself may have dropped acknowledged writes (a restart, a failover, a Cluster
 * master replaced, a log that went back), the deletes it dropped would leave older values in L2:
 * the listener raises the namespace's {@link TrustFloor} before clearing L1, and reads the floor
 * other nodes raised about once a second.
 */
final class InvalidationLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InvalidationLog.class);
  private static final long BLOCK_MILLIS = 1_000;
  private static final int BATCH = 512;

  /** The reason given to {@link Handler#onLost} for an entry this node does not understand. */
  static final String UNKNOWN_ENTRY = "unknown-log-entry";

  /** Receives what the log carries. Called on the listener thread. */
  interface Handler {
    void onEntry(LogEntry entry);

    /** The node may have missed entries: clear L1. */
    void onLost(String reason);

    /** Whether invalidations are flowing (false while the listener cannot read the log). */
    void onFlowing(boolean flowing);
  }

  /**
   * Test-only: the logs (stream key and node id) whose loss detection a test switched off, to show
   * what a lost invalidation would do without it (the consistency auditor's test). Package-private
   * on purpose: no configuration turns it off.
   */
  private static final Set<String> LOSS_DETECTION_OFF = ConcurrentHashMap.newKeySet();

  private static final LuaScript FLOOR = LuaScript.load(InvalidationLog.class, "floor.lua");

  /** How often the listener reads the trust floor another node may have raised. */
  private static final long FLOOR_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The loss reasons that mean Redis itself may have dropped acknowledged writes. */
  private static final Set<String> WRITES_LOST =
      Set.of("redis-restarted", "log-owner-changed", "log-went-back", "log-missing");

  private final RedisConnector connector;
  private final String lossKey;
  private final String streamKey;
  private final String floorKey;
  private final TrustFloor floor;
  private final Handler handler;
  private final CacheMeters meters;
  private final byte[] nodeIdBytes;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile RedisConnector.@Nullable DedicatedConnection current;

  /** The Cluster's masters at the last check (empty elsewhere, or before the first). */
  private Set<String> masters = Set.of();

  InvalidationLog(
      RedisConnector connector,
      String namespace,
      String nodeId,
      TrustFloor floor,
      CacheMeters meters,
      Handler handler) {
    this.connector = connector;
    this.streamKey = streamKey(namespace);
    this.floorKey = floorKey(namespace);
    this.lossKey = lossKey(namespace, nodeId);
    this.floor = floor;
    this.handler = handler;
    this.meters = meters;
    this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
    this.thread = new Thread(this::listen, "tierstate-invalidation-" + nodeId);
    this.thread.setDaemon(true);
  }

  /**
   * Whether a Cluster master was replaced since the last call: any shard's failover may have
   * dropped deletes of value keys there, whichever shard holds the log. Listener thread only.
   */
  private boolean masterReplaced() {
    Set<String> now = connector.clusterMasters();
    Set<String> before = masters;
    masters = now;
    return replacedMaster(before, now);
  }

  /**
   * Whether {@code now} names a master {@code before} did not (an empty before is a first look).
   */
  static boolean replacedMaster(Set<String> before, Set<String> now) {
    return !before.isEmpty() && !before.containsAll(now);
  }

  private static String lossKey(String namespace, String nodeId) {
    return streamKey(namespace) + " " + nodeId;
  }

  /** Test-only: switches loss detection off (or on again) for one node's log. */
  static void lossDetectionForTests(String namespace, String nodeId, boolean on) {
    if (on) {
      LOSS_DETECTION_OFF.remove(lossKey(namespace, nodeId));
    } else {
      LOSS_DETECTION_OFF.add(lossKey(namespace, nodeId));
    }
  }

  private @Nullable String lost(
      String lastId,
      @Nullable String oldRunId,
      @Nullable String newRunId,
      StreamPosition position) {
    return LOSS_DETECTION_OFF.contains(lossKey)
        ? null
        : lostSince(lastId, oldRunId, newRunId, position);
  }

  /** The stream's key; {@link RedisTier} appends to it. */
  static String streamKey(String namespace) {
    return namespace + ":log";
  }

  /**
   * The trust floor's key, {@code ns:{ns:log}:floor}: under the namespace's prefix like every key,
   * and its hash tag puts it in the log's slot, so on a Cluster it lives and fails over with the
   * log, and a failover that loses it is one this node's listener sees (another owner of that slot)
   * and raises it again for.
   */
  static String floorKey(String namespace) {
    return namespace + ":{" + streamKey(namespace) + "}:floor";
  }

  void start() {
    thread.start();
  }

  private void listen() {
    String lastId = null;
    String runId = null;
    ReconnectBackoff backoff = new ReconnectBackoff();
    boolean wasDown = false;
    while (running) {
      try (RedisConnector.DedicatedConnection connection = connector.openDedicated()) {
        current = connection;
        RedisClusterCommands<String, byte[]> redis = connection.sync();
        StreamPosition position = position(redis);
        String serverRunId = serverIdentity(connection);
        if (lastId == null) {
          lastId = position.lastGeneratedId;
          learnFloor(connection, false);
          masterReplaced();
        } else {
          String lost = lost(lastId, runId, serverRunId, position);
          if (masterReplaced()
              && (lost == null || !WRITES_LOST.contains(lost))
              && !LOSS_DETECTION_OFF.contains(lossKey)) {
            lost = "master-replaced"; // clears L1 too, like any other loss
          }
          if (lost != null) {
            lossDetected(connection, lost);
            lastId = position.lastGeneratedId;
          } else {
            if (wasDown) {
              log.info("Invalidation log reconnected; replaying from {}", lastId);
            }
            // Puts back a floor a second failover lost, and learns one raised meanwhile.
            learnFloor(connection, true);
          }
        }
        if (serverRunId != null) {
          // One unanswered INFO must not erase the identity the next reconnect compares with.
          runId = serverRunId;
        }
        wasDown = false;
        backoff.reset();
        boolean caughtUp = false;
        long floorCheckedAt = System.nanoTime();
        while (running) {
          // Catch up without blocking first: L1 is trusted again only once the replay is applied.
          XReadArgs args =
              caughtUp
                  ? XReadArgs.Builder.block(BLOCK_MILLIS).count(BATCH)
                  : XReadArgs.Builder.count(BATCH);
          List<StreamMessage<String, byte[]>> messages = read(redis, args, lastId);
          int count = messages == null ? 0 : messages.size();
          if (messages != null) {
            for (StreamMessage<String, byte[]> message : messages) {
              deliver(message);
              lastId = message.getId();
            }
          }
          if (!caughtUp && count < BATCH) {
            caughtUp = true;
            handler.onFlowing(true);
          }
          if (count == BATCH) {
            // A listener this far behind may have been overtaken by trimming.
            String lost = lost(lastId, runId, runId, position(redis));
            if (lost != null) {
              handler.onLost(lost);
            }
          }
          if (System.nanoTime() - floorCheckedAt >= FLOOR_CHECK_NANOS) {
            if (masterReplaced() && !LOSS_DETECTION_OFF.contains(lossKey)) {
              lossDetected(connection, "master-replaced");
            } else {
              learnFloor(connection, true);
            }
            floorCheckedAt = System.nanoTime();
          }
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (!wasDown) {
          log.warn(
              "Invalidation log unreachable ({}); L1 entries now live at most the degraded TTL",
              e.toString());
          wasDown = true;
        }
        handler.onFlowing(false);
        sleep(backoff.next().toMillis());
      } finally {
        current = null;
      }
    }
  }

  /**
   * The node may have missed entries. Where Redis itself may have dropped writes, first raises the
   * trust floor (in Redis for every node, and here), so that the L1 clear that follows cannot be
   * refilled from L2 entries whose deletes the loss dropped.
   */
  private void lossDetected(RedisConnector.DedicatedConnection connection, String reason) {
    if (WRITES_LOST.contains(reason) || reason.equals("master-replaced")) {
      long raised = TrustFloor.raisedAt(System.currentTimeMillis());
      floor.adopt(raised);
      meters.floorRaised(reason);
      log.warn(
          "Redis may have lost acknowledged writes ({}); L2 entries created before {} are no"
              + " longer trusted",
          reason,
          Instant.ofEpochMilli(raised));
      try {
        floor.adopt(runFloor(connection, floor.millis()));
      } catch (RuntimeException e) {
        // Known here; the next check writes it to Redis for the other nodes.
        log.debug("Could not store the trust floor: {}", e.toString());
      }
    }
    handler.onLost(reason);
  }

  /**
   * Reads the namespace's floor, writing this node's if Redis's is lower (a failover lost it), and
   * adopts a higher one: raised by another node for a loss this node did not see, L1 is cleared.
   */
  private void learnFloor(RedisConnector.DedicatedConnection connection, boolean clearIfNew) {
    long local = floor.millis();
    long stored;
    try {
      stored = runFloor(connection, local);
    } catch (RuntimeException e) {
      // Tried again within a second; the log's own checks still apply meanwhile.
      log.debug("Could not read the trust floor: {}", e.toString());
      return;
    }
    if (floor.adopt(stored) && clearIfNew && TrustFloor.isNewLoss(local, stored)) {
      handler.onLost("floor-raised");
    }
  }

  private long runFloor(RedisConnector.DedicatedConnection connection, long wanted) {
    Long stored =
        FLOOR
            .<Long>run(
                connection.async(),
                ScriptOutputType.INTEGER,
                new String[] {floorKey},
                Long.toString(wanted).getBytes(StandardCharsets.US_ASCII))
            .toCompletableFuture()
            .join();
    return stored == null ? 0 : stored;
  }

  private @Nullable String serverIdentity(RedisConnector.DedicatedConnection connection) {
    try {
      return connection.serverIdentity(streamKey);
    } catch (RuntimeException e) {
      // Some managed services hide INFO; the stream checks below still apply.
      log.debug("INFO server unavailable: {}", e.toString());
      return null;
    }
  }

  @SuppressWarnings("unchecked") // Lettuce's xread takes generic varargs
  private List<StreamMessage<String, byte[]>> read(
      RedisClusterCommands<String, byte[]> redis, XReadArgs args, String from) {
    return redis.xread(args, XReadArgs.StreamOffset.from(streamKey, from));
  }

  private void deliver(StreamMessage<String, byte[]> message) {
    recordLag(message);
    try {
      dispatch(message.getBody(), handler);
    } catch (RuntimeException e) {
      meters.listenerErrors.increment();
      log.error("Invalidation handler failed on log entry {}", message.getId(), e);
    }
  }

  /** Another node's entry: how long it took from Redis appending it to this node reading it. */
  private void recordLag(StreamMessage<String, byte[]> message) {
    byte[] origin = message.getBody().get(LogEntry.ORIGIN_FIELD);
    long appendedAt = appendedAtMillis(message.getId());
    if (origin != null && appendedAt >= 0 && !Arrays.equals(origin, nodeIdBytes)) {
      long lag = Math.max(0, System.currentTimeMillis() - appendedAt);
      meters.invalidationLag.record(lag, TimeUnit.MILLISECONDS);
    }
  }

  /** The millisecond part of a stream id ({@code 1700000000000-0}), or -1 if it has none. */
  static long appendedAtMillis(String id) {
    int dash = id.indexOf('-');
    try {
      return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Hands an entry to the handler; one this node does not understand (see docs/protocol.md) may
   * have invalidated anything, so it is reported as lost invalidations: L1 is cleared.
   */
  static void dispatch(Map<String, byte[]> fields, Handler handler) {
    LogEntry entry = LogEntry.decode(fields);
    if (entry == null) {
      log.warn("Invalidation log entry not understood (a newer node's format?); clearing L1");
      handler.onLost(UNKNOWN_ENTRY);
    } else {
      handler.onEntry(entry);
    }
  }

  /** Where the stream stands on the server. */
  record StreamPosition(boolean exists, String lastGeneratedId, String maxDeletedId) {}

  private StreamPosition position(RedisClusterCommands<String, byte[]> redis) {
    if (redis.exists(streamKey) == 0) {
      return new StreamPosition(false, "0-0", "0-0");
    }
    List<Object> info = redis.xinfoStream(streamKey);
    String last = "0-0";
    String maxDeleted = "0-0";
    for (int i = 0; i + 1 < info.size(); i += 2) {
      String name = text(info.get(i));
      Object value = info.get(i + 1);
      if (name.equals("last-generated-id")) {
        last = text(value);
      } else if (name.equals("max-deleted-entry-id")) {
        maxDeleted = text(value);
      }
    }
    return new StreamPosition(true, last, maxDeleted);
  }

  /**
   * Why entries after {@code lastId} may have been lost, or null when the log proves they were not.
   */
  static @Nullable String lostSince(
      String lastId,
      @Nullable String oldRunId,
      @Nullable String newRunId,
      StreamPosition position) {
    if (oldRunId != null && newRunId != null && !oldRunId.equals(newRunId)) {
      // On a Cluster an identity is "owner node id/run id": another owner is a failover.
      int slash = oldRunId.indexOf('/');
      return slash >= 0 && !newRunId.startsWith(oldRunId.substring(0, slash + 1))
          ? "log-owner-changed"
          : "redis-restarted";
    }
    if (!position.exists()) {
      return lastId.equals("0-0") ? null : "log-missing";
    }
    if (compareIds(position.lastGeneratedId(), lastId) < 0) {
      return "log-went-back";
    }
    if (compareIds(position.maxDeletedId(), lastId) > 0) {
      return "log-trimmed";
    }
    return null;
  }

  static int compareIds(String a, String b) {
    long[] x = parseId(a);
    long[] y = parseId(b);
    int c = Long.compareUnsigned(x[0], y[0]);
    return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
  }

  private static long[] parseId(String id) {
    int dash = id.indexOf('-');
    if (dash < 0) {
      return new long[] {Long.parseUnsignedLong(id), 0};
    }
    return new long[] {
      Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))
    };
  }

  private static String text(@Nullable Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof byte[] raw) {
      return new String(raw, StandardCharsets.UTF_8);
    }
    return value.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    RedisConnector.DedicatedConnection connection = current;
    if (connection != null) {
      connection.close();
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
