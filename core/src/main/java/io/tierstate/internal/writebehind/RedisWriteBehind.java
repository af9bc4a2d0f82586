package io.tierstate.internal.writebehind;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisEndpoint;
import io.tierstate.RedisUnavailableException;
import io.tierstate.TierstateException;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.Codec;
import io.tierstate.codec.TypeRef;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.ReconnectBackoff;
import io.tierstate.internal.redis.RedisConnector;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.metrics.MeterNames;
import io.tierstate.writebehind.BatchWriter;
import io.tierstate.writebehind.WhenRedisUnavailable;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindEntry;
import io.tierstate.writebehind.WriteBehindOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis implementation of {@link WriteBehind}; obtain it through {@code Tierstate}.
 * Thread-safe.
 */
public final class RedisWriteBehind<T> implements WriteBehind<T> {
  private static final Logger log = LoggerFactory.getLogger(RedisWriteBehind.class);
  private static final LuaScript APPEND = LuaScript.load(RedisWriteBehind.class, "append.lua");
  private static final LuaScript SETTLE = LuaScript.load(RedisWriteBehind.class, "settle.lua");
  private static final LuaScript HAND = LuaScript.load(RedisWriteBehind.class, "hand.lua");
  private static final LuaScript HOLD = LuaScript.load(RedisWriteBehind.class, "hold.lua");
  private static final String GROUP = "writers";
  private static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_FLUSH_TIMEOUT = Duration.ofSeconds(10);
  private static final long STATS_EVERY_MILLIS = 1_000;

  /** How long this node remembers its acknowledged appends, to count those Redis may lose. */
  private static final long ACKED_WINDOW_MICROS = Duration.ofMinutes(5).toNanos() / 1_000;

  private final String name;
  private final Class<T> type;
  private final TypeRef<T> typeRef;
  private final BatchWriter<T> writer;
  private final WriteBehindOptions options;
  private final RedisExecutor redis;
  private final RedisConnector connector;
  private final Codec codec;
  private final TieredCache cache;
  private final String nodeId;
  private final byte[] nodeIdBytes;
  private final String streamKey;
  private final String deadKey;
  private final String sequenceKey;
  private final String writtenKey;
  private final String settledAtKey;
  private final String handedKey;
  private final long appendDeadlineMillis;
  private final Runnable onClose;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter queued;
  private final Counter writtenThrough;
  private final Counter rejected;
  private final Counter delivered;
  private final Counter batches;
  private final Counter retries;
  private final Counter deadLetters;
  private final Counter claimed;
  private final Counter possiblyLost;
  private final AckedAppends acked = new AckedAppends();
  private final Thread thread;

  private final Object flushLock = new Object();
  private long flushRequested; // guarded by flushLock
  private long flushCompleted; // guarded by flushLock

  private final Map<String, StreamMessage<String, byte[]>> buffer =
      new LinkedHashMap<>(); // worker thread only
  private long bufferStartedMillis; // worker thread only
  private @Nullable Settlement unsettled; // worker thread only

  private volatile boolean running = true;
  private volatile boolean closed;
  private volatile boolean abandoned;
  private volatile long blockedClientId = -1;
  private volatile RedisConnector.@Nullable DedicatedConnection current;
  private volatile double queueDepth;
  private volatile double lagSeconds;
  private volatile long clockOffsetMillis; // Redis server clock minus this node's, last measured
  private volatile long unreachableSinceMillis; // when the batch began failing unreachable; 0: not

  RedisWriteBehind(
      String name,
      Class<T> type,
      BatchWriter<T> writer,
      WriteBehindOptions options,
      RedisExecutor redis,
      Codec codec,
      TieredCache cache,
      String namespace,
      String nodeId,
      MeterRegistry registry,
      Runnable onClose) {
    this.name = name;
    this.type = type;
    this.typeRef = TypeRef.of(type);
    this.writer = writer;
    this.options = options;
    this.redis = redis;
    this.connector = redis.connector();
    this.codec = codec;
    this.cache = cache;
    this.nodeId = nodeId;
    this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
    String base = namespace + ":wb:{" + name + "}";
    this.streamKey = base;
    this.deadKey = base + ":dead";
    this.sequenceKey = base + ":seq";
    this.writtenKey = base + ":written";
    this.settledAtKey = base + ":settled-at";
    this.handedKey = base + ":handed";
    // An append that reached Redis later than this is refused, so that when write() gives up on it
    // (after the command timeout, twice this) it is known never to run: see write().
    this.appendDeadlineMillis = Math.max(1, connector.config().commandTimeout().toMillis() / 2);
    this.onClose = onClose;
    this.registry = registry;
    this.queued = counter(MeterNames.WRITE_BEHIND_WRITES, "result", "queued");
    this.writtenThrough = counter(MeterNames.WRITE_BEHIND_WRITES, "result", "write_through");
    this.rejected = counter(MeterNames.WRITE_BEHIND_WRITES, "result", "rejected");
    this.delivered = counter(MeterNames.WRITE_BEHIND_DELIVERED, null, null);
    this.batches = counter(MeterNames.WRITE_BEHIND_BATCHES, null, null);
    this.retries = counter(MeterNames.WRITE_BEHIND_RETRIES, null, null);
    this.deadLetters = counter(MeterNames.WRITE_BEHIND_DEAD_LETTERS, null, null);
    this.claimed = counter(MeterNames.WRITE_BEHIND_CLAIMED, null, null);
    this.possiblyLost = counter(MeterNames.WRITE_BEHIND_POSSIBLY_LOST, null, null);
    meters.add(
        Gauge.builder(MeterNames.WRITE_BEHIND_QUEUE_DEPTH, this, wb -> wb.queueDepth)
            .description("entries in the write-behind stream not yet written (XLEN)")
            .tag("name", name)
            .register(registry));
    meters.add(
        Gauge.builder(MeterNames.WRITE_BEHIND_LAG, this, wb -> wb.lagSeconds)
            .description("age in seconds of the oldest entry not yet written")
            .baseUnit("seconds")
            .tag("name", name)
            .register(registry));
    meters.add(
        Gauge.builder(
                MeterNames.WRITE_BEHIND_UNREACHABLE, this, RedisWriteBehind::unreachableSeconds)
            .description(
                "seconds the batch being written has failed because the batch writer's target is"
                    + " unreachable; 0 when it is not")
            .baseUnit("seconds")
            .tag("name", name)
            .register(registry));
    this.thread = new Thread(this::work, "tierstate-writebehind-" + name + "-" + nodeId);
    this.thread.setDaemon(true);
  }

  private Counter counter(String meter, @Nullable String tag, @Nullable String value) {
    Counter.Builder builder = Counter.builder(meter).tag("name", name);
    if (tag != null && value != null) {
      builder = builder.tag(tag, value);
    }
    Counter counter = builder.register(registry);
    meters.add(counter);
    return counter;
  }

  void start() {
    thread.start();
  }

  private double unreachableSeconds() {
    long since = unreachableSinceMillis;
    return since == 0 ? 0 : Math.max(0, System.currentTimeMillis() - since) / 1000.0;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public WriteBehindOptions options() {
    return options;
  }

  @Override
  public void write(String key, T value, CacheOptions cacheOptions) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(cacheOptions, "cacheOptions");
    if (key.isBlank()) {
      throw new IllegalArgumentException("write-behind '" + name + "': key must not be blank");
    }
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          "write-behind '"
              + name
              + "' takes "
              + type.getName()
              + " values; key '"
              + key
              + "' got a "
              + value.getClass().getName());
    }
    if (closed) {
      throw new IllegalStateException(
          "write-behind '" + name + "' is closed; key '" + key + "' was not written");
    }
    byte[] encoded = codec.encode(value);
    long sentAt = System.currentTimeMillis();
    long floor = acked.highest();
    RedisUnavailableException notQueued;
    try {
      List<Object> reply =
          redis.call(
              "write-behind '" + name + "' append",
              commands ->
                  APPEND.<List<Object>>run(
                      commands,
                      ScriptOutputType.MULTI,
                      new String[] {streamKey, sequenceKey},
                      key.getBytes(StandardCharsets.UTF_8),
                      encoded,
                      nodeIdBytes,
                      bytes(Long.toString(sentAt + clockOffsetMillis + appendDeadlineMillis)),
                      bytes(Long.toString(floor))));
      long version = (Long) reply.get(0);
      checkForLoss((Long) reply.get(1), floor, "an append");
      if (version > 0) {
        acked.add(version);
        queued.increment();
        cache.set(key, value, cacheOptions);
        return;
      }
      // Redis ran the append after its deadline (it was held up): it refused it, nothing is queued.
      notQueued =
          new RedisUnavailableException(
              "the append reached Redis after its deadline of " + appendDeadlineMillis + " ms");
    } catch (RedisUnavailableException e) {
      if (e.getCause() != null) {
        // The append may have been sent and may still run from a buffer; it cannot once its
        // deadline passed (server clock), which this wait covers with a margin of as much again.
        awaitMillis(sentAt + 2 * appendDeadlineMillis - System.currentTimeMillis());
      } // else the circuit breaker skipped the call (its exception alone has no cause): not sent
      notQueued = e;
    }
    unavailable(key, value, notQueued);
    cache.set(key, value, cacheOptions);
  }

  /** The write could not be queued and never will be: REJECT, or WRITE_THROUGH now. */
  private void unavailable(String key, T value, RedisUnavailableException e) {
    if (options.whenRedisUnavailable() == WhenRedisUnavailable.REJECT) {
      rejected.increment();
      throw new RedisUnavailableException(
          "write-behind '"
              + name
              + "' rejected the write of key '"
              + key
              + "': Redis is unavailable (whenRedisUnavailable=REJECT): "
              + e.getMessage(),
          e);
    }
    // Newer than every version Redis gave out before (server clock, as estimated), older than
    // any it gives out later: a guarded writer keeps this value over an older queued entry.
    long version =
        Math.max((System.currentTimeMillis() + clockOffsetMillis) * 1_000, acked.highest() + 1);
    try {
      writer.writeEntries(List.of(new WriteBehindEntry<>(key, value, version)));
    } catch (Exception failure) {
      throw new TierstateException(
          "write-behind '"
              + name
              + "': Redis is unavailable and writing key '"
              + key
              + "' through to the batch writer failed: "
              + failure,
          failure);
    }
    acked.seen(version);
    writtenThrough.increment();
  }

  private static void awaitMillis(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisUnavailableException(
            "interrupted while waiting for a write-behind append to expire", e);
      }
    }
  }

  /**
   * Redis answered that the last version it gave out is {@code last}, at a moment when this node
   * had been given versions up to {@code upTo}: if {@code last} is below, Redis lost acknowledged
   * appends (a failover to a replica that had not received them, a restart without persistence).
   * Counts and logs those of this node.
   */
  private void checkForLoss(long last, long upTo, String seenBy) {
    long lost = acked.forgetAbove(last, upTo);
    if (lost > 0) {
      possiblyLost.increment((double) lost);
      log.warn(
          "write-behind '{}': Redis lost writes it had acknowledged (its last version went back to"
              + " {}, seen by {}): up to {} writes acknowledged by node {} may never reach the"
              + " batch writer (failover to a replica that had not received them, or a restart"
              + " without persistence)",
          name,
          last,
          seenBy,
          lost,
          nodeId);
    }
  }

  @Override
  public void flush() {
    if (!flush(DEFAULT_FLUSH_TIMEOUT)) {
      throw new TierstateException(
          "write-behind '"
              + name
              + "' did not drain within "
              + DEFAULT_FLUSH_TIMEOUT
              + "; is Redis reachable and the batch writer responsive?");
    }
  }

  @Override
  public boolean flush(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("write-behind '" + name + "' is closed");
    }
    return drainAndWait(timeout);
  }

  private boolean drainAndWait(Duration timeout) {
    long target;
    synchronized (flushLock) {
      target = ++flushRequested;
    }
    wakeWorker();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (flushLock) {
      while (flushCompleted < target) {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0 || !thread.isAlive()) {
          return false;
        }
        try {
          flushLock.wait(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Ends a blocking read of the worker early (standalone and Sentinel; in a cluster it times out).
   */
  private void wakeWorker() {
    long clientId = blockedClientId;
    if (clientId < 0 || connector.endpoint().mode() == RedisEndpoint.Mode.CLUSTER) {
      return;
    }
    try {
      Long unused =
          redis.call(
              "write-behind '" + name + "' wake",
              commands -> commands.clientUnblock(clientId, UnblockType.TIMEOUT));
    } catch (RuntimeException e) {
      log.debug("Could not wake write-behind '{}': {}", name, e.toString());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!abandoned && thread.isAlive() && redis.healthy()) {
      if (!drainAndWait(CLOSE_FLUSH_TIMEOUT)) {
        log.warn(
            "write-behind '{}' closed before its stream was drained; the rest stays in Redis",
            name);
      }
    }
    stop();
    onClose.run();
  }

  /**
   * Simulates a crash, for tests: stops the thread at once without writing or acknowledging what it
   * has read, so that it stays pending in Redis until another node claims it.
   */
  public void abandon() {
    abandoned = true;
    closed = true;
    stop();
    onClose.run();
  }

  private void stop() {
    running = false;
    thread.interrupt();
    RedisConnector.DedicatedConnection connection = current;
    if (connection != null) {
      connection.close();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Meter meter : meters) {
      registry.remove(meter);
    }
  }

  // ---------------------------------------------------------------- the worker thread

  private void work() {
    ReconnectBackoff backoff = new ReconnectBackoff();
    boolean wasDown = false;
    while (running) {
      try (RedisConnector.DedicatedConnection connection = connector.openDedicated()) {
        current = connection;
        if (!running) {
          break;
        }
        RedisClusterCommands<String, byte[]> sync = connection.sync();
        blockedClientId =
            connector.endpoint().mode() == RedisEndpoint.Mode.CLUSTER ? -1 : sync.clientId();
        createGroup(sync);
        buffer.clear(); // entries read before a reconnect are still pending: read them again below
        settleLeftover();
        readOwnPending(sync);
        if (wasDown) {
          log.info("write-behind '{}' reconnected to Redis", name);
        }
        wasDown = false;
        backoff.reset();
        loop(sync);
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (!wasDown) {
          log.warn(
              "write-behind '{}' cannot reach Redis ({}); entries wait there", name, e.toString());
          wasDown = true;
        }
        sleep(backoff.next().toMillis());
      } catch (Abandoned e) {
        break;
      } finally {
        current = null;
        blockedClientId = -1;
      }
    }
    synchronized (flushLock) {
      flushLock.notifyAll();
    }
  }

  /** Thrown inside the worker when it must stop without settling. */
  private static final class Abandoned extends Exception {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super(null, null, false, false);
    }
  }

  private void loop(RedisClusterCommands<String, byte[]> sync) throws Abandoned {
    long claimEveryMillis = Math.max(100, options.claimIdle().toMillis() / 2);
    long flushMillis = options.flushInterval().toMillis();
    long nextClaim = 0;
    long nextStats = 0;
    while (running) {
      long now = System.currentTimeMillis();
      if (now >= nextStats) {
        updateStats(sync, now);
        nextStats = now + STATS_EVERY_MILLIS;
      }
      if (now >= nextClaim) {
        claim(sync);
        nextClaim = System.currentTimeMillis() + claimEveryMillis;
      }
      long requested;
      synchronized (flushLock) {
        requested = flushRequested > flushCompleted ? flushRequested : -1;
      }
      if (requested > 0) {
        drain(sync);
        synchronized (flushLock) {
          flushCompleted = Math.max(flushCompleted, requested);
          flushLock.notifyAll();
        }
        continue;
      }
      now = System.currentTimeMillis();
      long deadline = buffer.isEmpty() ? now + flushMillis : bufferStartedMillis + flushMillis;
      long block =
          Math.min(
              Math.min(deadline, Math.min(nextClaim, nextStats)) - now,
              RedisConnector.MAX_BLOCKING_WAIT.toMillis());
      if (block >= 1) {
        read(sync, XReadArgs.Builder.block(block).count(options.batchSize() - buffer.size()), ">");
      }
      now = System.currentTimeMillis();
      if (buffer.size() >= options.batchSize()
          || (!buffer.isEmpty() && now >= bufferStartedMillis + flushMillis)) {
        deliverBuffer();
      }
    }
  }

  private void createGroup(RedisClusterCommands<String, byte[]> sync) {
    try {
      String unused =
          sync.xgroupCreate(
              XReadArgs.StreamOffset.from(streamKey, "0"),
              GROUP,
              XGroupCreateArgs.Builder.mkstream(true));
    } catch (RedisBusyException e) {
      // BUSYGROUP: another node (or an earlier run) created it
    }
  }

  /** Reads entries into the buffer; returns how many were new. */
  @SuppressWarnings("unchecked") // Lettuce's xreadgroup takes generic varargs
  private int read(RedisClusterCommands<String, byte[]> sync, XReadArgs args, String from) {
    List<StreamMessage<String, byte[]>> messages =
        sync.xreadgroup(
            Consumer.from(GROUP, nodeId), args, XReadArgs.StreamOffset.from(streamKey, from));
    return buffer(messages);
  }

  private int buffer(@Nullable List<StreamMessage<String, byte[]>> messages) {
    if (messages == null || messages.isEmpty()) {
      return 0;
    }
    if (buffer.isEmpty()) {
      bufferStartedMillis = System.currentTimeMillis();
    }
    int added = 0;
    for (StreamMessage<String, byte[]> message : messages) {
      if (buffer.putIfAbsent(message.getId(), message) == null) {
        added++;
      }
    }
    return added;
  }

  /** Entries this node id read before (a restart, or a lost connection) and never settled. */
  private void readOwnPending(RedisClusterCommands<String, byte[]> sync) throws Abandoned {
    while (running) {
      buffer.clear();
      if (read(sync, XReadArgs.Builder.count(options.batchSize()), "0") == 0) {
        return;
      }
      deliverBuffer();
    }
  }

  /** Takes over entries another node read and left pending for longer than claimIdle. */
  private void claim(RedisClusterCommands<String, byte[]> sync) throws Abandoned {
    String cursor = "0-0";
    do {
      ClaimedMessages<String, byte[]> result =
          sync.xautoclaim(
              streamKey,
              XAutoClaimArgs.Builder.xautoclaim(
                      Consumer.from(GROUP, nodeId), options.claimIdle(), cursor)
                  .count(options.batchSize()));
      List<StreamMessage<String, byte[]>> messages = result.getMessages();
      if (messages != null && !messages.isEmpty()) {
        claimed.increment(messages.size());
        log.info(
            "write-behind '{}' claimed {} entries left pending by another node",
            name,
            messages.size());
        buffer(messages);
        while (buffer.size() >= options.batchSize()) {
          deliverBuffer();
        }
      }
      cursor = result.getId();
    } while (running && cursor != null && !cursor.equals("0-0"));
    if (!buffer.isEmpty()) {
      deliverBuffer();
    }
  }

  private void drain(RedisClusterCommands<String, byte[]> sync) throws Abandoned {
    while (running) {
      int added = read(sync, XReadArgs.Builder.count(options.batchSize()), ">");
      if (buffer.isEmpty()) {
        return;
      }
      deliverBuffer();
      if (added == 0) {
        return;
      }
    }
  }

  private void updateStats(RedisClusterCommands<String, byte[]> sync, long now) {
    long before = System.currentTimeMillis();
    List<byte[]> time = sync.time();
    long after = System.currentTimeMillis();
    if (time != null && time.size() == 2) {
      long serverMillis =
          Long.parseLong(text(time.get(0))) * 1_000 + Long.parseLong(text(time.get(1))) / 1_000;
      clockOffsetMillis = serverMillis - (before + after) / 2;
    }
    long upTo = acked.highest(); // acknowledged before the GET was sent: Redis had them then
    byte[] last = sync.get(sequenceKey);
    checkForLoss(last == null ? 0 : Long.parseLong(text(last)), upTo, "the write-behind thread");
    acked.trimBelow((after + clockOffsetMillis) * 1_000 - ACKED_WINDOW_MICROS);
    List<StreamMessage<String, byte[]>> oldest =
        sync.xrange(streamKey, Range.create("-", "+"), Limit.from(1));
    recordQueue(sync.xlen(streamKey), oldest.isEmpty() ? "" : oldest.get(0).getId(), now);
  }

  /** The queue's depth and lag gauges, from its length and its oldest entry's id ("": none). */
  private void recordQueue(long depth, String oldestId, long nowMillis) {
    queueDepth = depth;
    lagSeconds = oldestId.isEmpty() ? 0 : Math.max(0, nowMillis - idMillis(oldestId)) / 1000.0;
  }

  private static long idMillis(String id) {
    int dash = id.indexOf('-');
    try {
      return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    } catch (NumberFormatException e) {
      return System.currentTimeMillis();
    }
  }

  /** Delivers and settles the buffer (which may exceed batchSize after a claim: split it). */
  private void deliverBuffer() throws Abandoned {
    List<StreamMessage<String, byte[]>> all = new ArrayList<>(buffer.values());
    buffer.clear();
    for (int from = 0; from < all.size(); from += options.batchSize()) {
      deliver(
          all.subList(from, Math.min(all.size(), from + options.batchSize())),
          all.subList(from, all.size()));
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // internal carrier, never compared or hashed
  private record Pending<T>(String key, long version, byte[] encoded, T value) {}

  @SuppressWarnings("ArrayRecordComponent") // internal carrier, never compared or hashed
  private record Dead(String key, String version, byte[] encoded, String error) {}

  private record Settlement(List<String> ids, Map<String, Long> written, List<Dead> dead) {}

  /**
   * Writes and settles one batch; {@code held} are this batch and those this node read to write
   * after it, kept from other nodes while this batch is retried.
   */
  private void deliver(
      List<StreamMessage<String, byte[]>> messages, List<StreamMessage<String, byte[]>> held)
      throws Abandoned {
    List<String> ids = new ArrayList<>(messages.size());
    Map<String, Pending<T>> latest = new LinkedHashMap<>();
    List<Dead> dead = new ArrayList<>();
    for (StreamMessage<String, byte[]> message : messages) {
      ids.add(message.getId());
      Map<String, byte[]> body = message.getBody();
      if (body == null || body.isEmpty()) {
        continue; // deleted after it was read: settled already
      }
      byte[] key = body.get("k");
      byte[] version = body.get("n");
      byte[] encoded = body.get("v");
      if (key == null || version == null || encoded == null) {
        dead.add(
            new Dead(
                key == null ? "" : text(key),
                version == null ? "" : text(version),
                encoded == null ? new byte[0] : encoded,
                "malformed entry " + message.getId() + ": fields " + body.keySet()));
        continue;
      }
      String keyText = text(key);
      long versionNumber;
      T value;
      try {
        versionNumber = Long.parseLong(text(version));
        value = codec.decode(encoded, typeRef);
      } catch (RuntimeException e) {
        dead.add(
            new Dead(
                keyText,
                text(version),
                encoded,
                "cannot decode entry " + message.getId() + ": " + e));
        continue;
      }
      Pending<T> previous = latest.get(keyText);
      if (previous == null || versionNumber > previous.version()) {
        latest.put(keyText, new Pending<>(keyText, versionNumber, encoded, value));
      }
    }
    Map<String, Long> written = new LinkedHashMap<>();
    if (!latest.isEmpty()) {
      Outcome<T> outcome = writeWithRetries(latest.values(), held);
      String deadReason = outcome.deadReason();
      if (deadReason == null) {
        for (Pending<T> pending : outcome.handed()) {
          written.put(pending.key(), pending.version());
        }
        if (!written.isEmpty()) {
          delivered.increment(written.size());
          batches.increment();
        }
      } else {
        for (Pending<T> pending : outcome.handed()) {
          dead.add(
              new Dead(
                  pending.key(), Long.toString(pending.version()), pending.encoded(), deadReason));
        }
        log.error(
            "write-behind '{}' moved {} entries to {}: {}",
            name,
            outcome.handed().size(),
            deadKey,
            deadReason,
            outcome.failure());
      }
    }
    if (abandoned) {
      throw new Abandoned();
    }
    settle(new Settlement(ids, written, dead));
  }

  /**
   * What a batch came to: the entries handed to the writer last, and, if it is to be dead-lettered,
   * its last failure and why it was given up on.
   */
  private record Outcome<T>(
      List<Pending<T>> handed, @Nullable Throwable failure, @Nullable String deadReason) {
    static <T> Outcome<T> written(List<Pending<T>> handed) {
      return new Outcome<>(handed, null, null);
    }
  }

  /**
   * Calls the writer, retrying with backoff until it succeeds or the batch is given up on (see
   * {@link WriteBehindOptions#withOutageTolerance} for the rule: rejections count against
   * maxRetries, failures while the target is unreachable only against the outage tolerance). Before
   * every attempt, one script decides which entries may still be handed (none that was written or
   * handed newer meanwhile, by any node) and records them as handed, so that no attempt hands the
   * writer a version older than one handed before. Before every retry, another takes the held
   * entries back for this node, so that no other node claims them while this one is still working
   * on them.
   */
  private Outcome<T> writeWithRetries(
      Collection<Pending<T>> latest, List<StreamMessage<String, byte[]>> held) throws Abandoned {
    int rejections = 0;
    boolean takenReported = false;
    try {
      for (int attempt = 0; ; attempt++) {
        if (attempt > 0) {
          retries.increment();
          if (!sleep(options.backoffBefore(attempt - 1).toMillis()) || abandoned || !running) {
            throw new Abandoned();
          }
          int taken = hold(held);
          if (taken > 0 && !takenReported) {
            takenReported = true;
            log.warn(
                "write-behind '{}': another node claimed {} entries this node is still retrying (a"
                    + " writer call plus a backoff took longer than claimIdle {}); they may be"
                    + " written twice",
                name,
                taken,
                options.claimIdle());
          }
        }
        List<Pending<T>> handed = hand(latest);
        if (handed.isEmpty()) {
          return Outcome.written(handed);
        }
        List<WriteBehindEntry<T>> entries = new ArrayList<>(handed.size());
        for (Pending<T> pending : handed) {
          entries.add(new WriteBehindEntry<>(pending.key(), pending.value(), pending.version()));
        }
        try {
          writer.writeEntries(Collections.unmodifiableList(entries));
          if (unreachableSinceMillis != 0) {
            log.info(
                "write-behind '{}': the batch writer's target is reachable again; a batch of {}"
                    + " entries waited {} s for it",
                name,
                handed.size(),
                (System.currentTimeMillis() - unreachableSinceMillis) / 1000);
          }
          return Outcome.written(handed);
        } catch (Exception | LinkageError | AssertionError e) {
          // An Error a writer can recover from (a driver's assert under -ea, a class it cannot
          // load) fails the batch like an exception: let through, it would end this thread, and
          // with it this node's deliveries, with nothing in the logs but a stack trace on stderr.
          if (abandoned || !running) {
            // stopping (the interrupt may be what failed the call): leave the entries pending
            throw new Abandoned();
          }
          long now = System.currentTimeMillis();
          if (unreachable(e)) {
            if (unreachableSinceMillis == 0) {
              unreachableSinceMillis = now;
              log.warn(
                  "write-behind '{}': the batch writer's target is unreachable ({}); a batch of {}"
                      + " entries stays in Redis and is retried for up to {} (outageTolerance)",
                  name,
                  e.toString(),
                  handed.size(),
                  options.outageTolerance());
            } else {
              log.debug(
                  "write-behind '{}' batch of {} failed, target still unreachable (attempt {}): {}",
                  name,
                  handed.size(),
                  attempt + 1,
                  e.toString());
            }
            long outageMillis = now - unreachableSinceMillis;
            if (outageMillis > options.outageTolerance().toMillis()) {
              return new Outcome<>(
                  handed,
                  e,
                  "the batch writer's target was unreachable for "
                      + outageMillis / 1000
                      + " s, longer than outageTolerance "
                      + options.outageTolerance()
                      + ": "
                      + e);
            }
          } else {
            unreachableSinceMillis = 0; // the target answered: what comes next is a new outage
            rejections++;
            log.warn(
                "write-behind '{}' batch of {} failed (rejection {} of {}): {}",
                name,
                handed.size(),
                rejections,
                options.maxRetries() + 1,
                e.toString());
            if (rejections > options.maxRetries()) {
              return new Outcome<>(handed, e, e.toString());
            }
          }
        }
      }
    } finally {
      unreachableSinceMillis = 0;
    }
  }

  private boolean unreachable(Throwable failure) {
    try {
      return options.unreachableWhen().test(failure);
    } catch (RuntimeException e) {
      log.warn(
          "write-behind '{}': the unreachableWhen predicate threw {}; counting {} as a rejection",
          name,
          e.toString(),
          failure.toString());
      return false;
    }
  }

  /**
   * Takes the held entries still pending for this node back for it (resetting their idle time), so
   * that no other node claims them, and refreshes the queue's depth and lag (hold.lua).
   *
   * @return how many of them another node had claimed already
   */
  private int hold(List<StreamMessage<String, byte[]>> held) {
    List<byte[]> args = new ArrayList<>(held.size() + 2);
    args.add(bytes(GROUP));
    args.add(nodeIdBytes);
    for (StreamMessage<String, byte[]> message : held) {
      args.add(bytes(message.getId()));
    }
    byte[][] argv = args.toArray(byte[][]::new);
    List<Object> reply =
        redis.call(
            "write-behind '" + name + "' hold",
            commands ->
                HOLD.<List<Object>>run(
                    commands, ScriptOutputType.MULTI, new String[] {streamKey}, argv));
    recordQueue(
        (Long) reply.get(2),
        reply.get(3) instanceof byte[] id ? text(id) : "",
        System.currentTimeMillis());
    return ((Long) reply.get(1)).intValue();
  }

  /** The entries that may be handed to the writer now, recorded as handed (hand.lua). */
  private List<Pending<T>> hand(Collection<Pending<T>> latest) {
    List<Pending<T>> candidates = new ArrayList<>(latest);
    byte[][] argv = new byte[candidates.size() * 2][];
    int i = 0;
    for (Pending<T> pending : candidates) {
      argv[i++] = bytes(pending.key());
      argv[i++] = bytes(Long.toString(pending.version()));
    }
    List<Object> verdicts =
        redis.call(
            "write-behind '" + name + "' hand",
            commands ->
                HAND.<List<Object>>run(
                    commands,
                    ScriptOutputType.MULTI,
                    new String[] {writtenKey, handedKey, settledAtKey},
                    argv));
    List<Pending<T>> handed = new ArrayList<>(candidates.size());
    for (int k = 0; k < candidates.size(); k++) {
      if (Long.valueOf(1).equals(verdicts.get(k))) {
        handed.add(candidates.get(k));
      }
    }
    return handed;
  }

  private void settleLeftover() {
    Settlement leftover = unsettled;
    if (leftover != null) {
      settle(leftover);
    }
  }

  private void settle(Settlement settlement) {
    unsettled = settlement;
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(GROUP));
    args.add(nodeIdBytes);
    args.add(bytes(Integer.toString(settlement.written().size())));
    args.add(bytes(Integer.toString(settlement.dead().size())));
    args.add(bytes(Long.toString(options.settledRetention().toMillis())));
    settlement
        .written()
        .forEach(
            (key, version) -> {
              args.add(bytes(key));
              args.add(bytes(Long.toString(version)));
            });
    for (Dead dead : settlement.dead()) {
      args.add(bytes(dead.key()));
      args.add(bytes(dead.version()));
      args.add(dead.encoded());
      args.add(bytes(dead.error()));
    }
    for (String id : settlement.ids()) {
      args.add(bytes(id));
    }
    byte[][] argv = args.toArray(byte[][]::new);
    Long unused =
        redis.call(
            "write-behind '" + name + "' settle",
            commands ->
                SETTLE.<Long>run(
                    commands,
                    ScriptOutputType.INTEGER,
                    new String[] {streamKey, deadKey, writtenKey, settledAtKey, handedKey},
                    argv));
    unsettled = null;
    deadLetters.increment(settlement.dead().size());
  }

  /**
   * The versions of this node's acknowledged appends (counted per 100 ms of version, that is of the
   * Redis clock), to count those Redis lost, and the highest version this node has seen.
   * Thread-safe.
   */
  private static final class AckedAppends {
    private static final long BUCKET_MICROS = 100_000;
    private final ConcurrentSkipListMap<Long, LongAdder> buckets = new ConcurrentSkipListMap<>();
    private final AtomicLong highest = new AtomicLong();

    void add(long version) {
      buckets.computeIfAbsent(version / BUCKET_MICROS, b -> new LongAdder()).increment();
      seen(version);
    }

    void seen(long version) {
      highest.accumulateAndGet(version, Math::max);
    }

    long highest() {
      return highest.get();
    }

    /**
     * Forgets and counts the appends with a version above {@code last} and at most {@code upTo} (an
     * upper bound: the bucket of {@code last} counts whole).
     */
    synchronized long forgetAbove(long last, long upTo) {
      if (last >= upTo) {
        return 0;
      }
      Map<Long, LongAdder> lost =
          buckets.subMap(last / BUCKET_MICROS, true, upTo / BUCKET_MICROS, true);
      long count = 0;
      for (LongAdder adder : lost.values()) {
        count += adder.sum();
      }
      lost.clear();
      return count;
    }

    void trimBelow(long version) {
      buckets.headMap(version / BUCKET_MICROS).clear();
    }
  }

  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "WriteBehind[" + name + " on " + nodeId + ", stream " + streamKey + "]";
  }
}
