package io.tierstate.internal.writebehind;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.Codec;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.writebehind.BatchWriter;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The write-behinds of one node: creates them, keeps one per name, and closes them all when the
 * node closes.
 *
 * <p>Thread-safe. Internal to Tierstate: obtain write-behinds through {@code
 * Tierstate.writeBehind}.
 */
public final class WriteBehindRegistry implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  private final RedisExecutor redis;
  private final Codec codec;
  private final TieredCache cache;
  private final String namespace;
  private final String nodeId;
  private final MeterRegistry registry;
  private final Map<String, WriteBehind<?>> open = new LinkedHashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  private WriteBehindRegistry(
      RedisExecutor redis,
      Codec codec,
      TieredCache cache,
      String namespace,
      String nodeId,
      MeterRegistry registry) {
    this.redis = redis;
    this.codec = codec;
    this.cache = cache;
    this.namespace = namespace;
    this.nodeId = nodeId;
    this.registry = registry;
  }

  /** A registry for one node. */
  public static WriteBehindRegistry create(
      RedisExecutor redis,
      Codec codec,
      TieredCache cache,
      String namespace,
      String nodeId,
      MeterRegistry registry) {
    return new WriteBehindRegistry(redis, codec, cache, namespace, nodeId, registry);
  }

  /**
   * Starts a write-behind.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is not 1 to 100 letters, digits or {@code
   *     ._:-}, or a write-behind of that name is open on this node already
   * @throws IllegalStateException if the node is closed
   */
  public synchronized <T> WriteBehind<T> open(
      String name, Class<T> type, BatchWriter<T> batchWriter, WriteBehindOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(batchWriter, "batchWriter");
    Objects.requireNonNull(options, "options");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "write-behind name must be 1 to 100 letters, digits or . _ : -, was '" + name + "'");
    }
    if (closed) {
      throw new IllegalStateException(
          "Tierstate is closed; cannot start write-behind '" + name + "'");
    }
    if (open.containsKey(name)) {
      throw new IllegalArgumentException(
          "write-behind '"
              + name
              + "' is already open on node '"
              + nodeId
              + "'; share that instance or close it first");
    }
    RedisWriteBehind<T> writeBehind =
        new RedisWriteBehind<>(
            name,
            type,
            batchWriter,
            options,
            redis,
            codec,
            cache,
            namespace,
            nodeId,
            registry,
            () -> forget(name));
    open.put(name, writeBehind);
    writeBehind.start();
    return writeBehind;
  }

  private synchronized void forget(String name) {
    open.remove(name);
  }

  /**
   * Closes every open write-behind (each writes what it has read first). Closing again does
   * nothing.
   */
  @Override
  public void close() {
    List<WriteBehind<?>> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(open.values());
    }
    for (WriteBehind<?> writeBehind : toClose) {
      writeBehind.close();
    }
  }
}
