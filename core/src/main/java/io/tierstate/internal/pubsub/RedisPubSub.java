package io.tierstate.internal.pubsub;

import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisUnavailableException;
import io.tierstate.codec.Codec;
import io.tierstate.codec.TypeRef;
import io.tierstate.internal.redis.RedisConnector;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MeterNames;
import io.tierstate.pubsub.PubSub;
import io.tierstate.pubsub.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PubSub} on Redis. Publishes through the shared command connection (breaker, timeout,
 * error counting); receives on one pub/sub connection of its own, opened at the first subscription,
 * subscribed once per channel or pattern however many handlers it has, and resubscribed by Lettuce
 * after a reconnect. Messages are handed from Lettuce's I/O thread to one dispatch thread, so a
 * slow handler never stalls the connection.
 *
 * <p>Thread-safe. Internal to Tierstate: obtain it from {@code Tierstate.pubsub()}.
 */
public final class RedisPubSub implements PubSub, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisPubSub.class);

  private final RedisExecutor redis;
  private final RedisConnector connector;
  private final Codec codec;
  private final String prefix;
  private final Counter published;
  private final Counter received;
  private final Counter handlerErrors;
  private final Counter decodeErrors;
  private final ExecutorService dispatcher;
  private final Map<String, List<Registration>> channels = new ConcurrentHashMap<>();
  private final Map<String, List<Registration>> patterns = new ConcurrentHashMap<>();
  private final Object subscribing = new Object();
  private @Nullable StatefulRedisPubSubConnection<String, byte[]>
      connection; // guarded by subscribing
  private volatile boolean closed;

  private RedisPubSub(RedisExecutor redis, Codec codec, String namespace, MeterRegistry registry) {
    this.redis = redis;
    this.connector = redis.connector();
    this.codec = codec;
    this.prefix = namespace + ":";
    this.published = Counter.builder(MeterNames.PUBSUB_PUBLISHED).register(registry);
    this.received = Counter.builder(MeterNames.PUBSUB_RECEIVED).register(registry);
    this.handlerErrors =
        Counter.builder(MeterNames.PUBSUB_HANDLER_ERRORS)
            .tag("cause", "handler")
            .register(registry);
    this.decodeErrors =
        Counter.builder(MeterNames.PUBSUB_HANDLER_ERRORS).tag("cause", "decode").register(registry);
    this.dispatcher =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tierstate-pubsub");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Pub/sub whose channels live under {@code namespace}, with payloads encoded by {@code codec}.
   */
  public static RedisPubSub create(
      RedisExecutor redis, Codec codec, String namespace, MeterRegistry registry) {
    return new RedisPubSub(redis, codec, namespace, registry);
  }

  @Override
  public long publish(String channel, Object payload) {
    requireValidChannel(channel);
    Objects.requireNonNull(payload, "payload");
    byte[] bytes = codec.encode(payload);
    Long receivers =
        redis.call(
            "publish to channel '" + channel + "'",
            commands -> commands.publish(prefix + channel, bytes));
    published.increment();
    return receivers;
  }

  @Override
  public <T> Subscription subscribe(String channel, Class<T> type, Consumer<? super T> handler) {
    requireValidChannel(channel);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    TypeRef<T> ref = TypeRef.of(type);
    return register(
        channels, channel, false, (from, bytes) -> handler.accept(codec.decode(bytes, ref)));
  }

  @Override
  public <T> Subscription psubscribe(
      String pattern, Class<T> type, BiConsumer<String, ? super T> handler) {
    try {
      CacheKeys.requireValidPattern(pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid pattern: " + e.getMessage(), e);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    TypeRef<T> ref = TypeRef.of(type);
    return register(
        patterns, pattern, true, (from, bytes) -> handler.accept(from, codec.decode(bytes, ref)));
  }

  /** Unsubscribes everything and closes the pub/sub connection. */
  @Override
  public void close() {
    synchronized (subscribing) {
      closed = true;
      channels.clear();
      patterns.clear();
      StatefulRedisPubSubConnection<String, byte[]> current = connection;
      if (current != null) {
        current.close();
        connection = null;
      }
    }
    dispatcher.shutdownNow();
  }

  /** Receives one message: the channel without the namespace, and the encoded payload. */
  @FunctionalInterface
  private interface Delivery {
    void deliver(String channel, byte[] payload);
  }

  private Subscription register(
      Map<String, List<Registration>> registry, String name, boolean pattern, Delivery delivery) {
    synchronized (subscribing) {
      if (closed) {
        throw new IllegalStateException(
            "this Tierstate is closed; cannot subscribe to '" + name + "'");
      }
      StatefulRedisPubSubConnection<String, byte[]> current = openConnection();
      List<Registration> handlers = registry.get(name);
      if (handlers == null || handlers.isEmpty()) {
        try {
          if (pattern) {
            current.sync().psubscribe(prefix + name);
          } else {
            current.sync().subscribe(prefix + name);
          }
        } catch (RedisException e) {
          throw new RedisUnavailableException(
              "cannot subscribe to "
                  + (pattern ? "pattern '" : "channel '")
                  + name
                  + "': "
                  + e.getMessage(),
              e);
        }
        handlers = new CopyOnWriteArrayList<>();
        registry.put(name, handlers);
      }
      Registration registration = new Registration(registry, name, pattern, delivery);
      handlers.add(registration);
      return registration;
    }
  }

  private StatefulRedisPubSubConnection<String, byte[]> openConnection() {
    StatefulRedisPubSubConnection<String, byte[]> current = connection;
    if (current == null) {
      current = connector.openPubSub();
      current.addListener(new Listener());
      connection = current;
    }
    return current;
  }

  private void unregister(Registration registration) {
    synchronized (subscribing) {
      List<Registration> handlers = registration.registry.get(registration.name);
      if (handlers == null || !handlers.remove(registration) || !handlers.isEmpty()) {
        return;
      }
      registration.registry.remove(registration.name);
      StatefulRedisPubSubConnection<String, byte[]> current = connection;
      if (current == null) {
        return;
      }
      try {
        if (registration.pattern) {
          current.sync().punsubscribe(prefix + registration.name);
        } else {
          current.sync().unsubscribe(prefix + registration.name);
        }
      } catch (RedisException e) {
        // Nothing is delivered for a name without handlers; Redis forgets it at the next reconnect.
        log.warn("could not unsubscribe from '{}' in Redis: {}", registration.name, e.getMessage());
      }
    }
  }

  private void dispatch(@Nullable List<Registration> handlers, String channel, byte[] payload) {
    if (handlers == null || handlers.isEmpty() || !channel.startsWith(prefix)) {
      return;
    }
    String unprefixed = channel.substring(prefix.length());
    try {
      dispatcher.execute(
          () -> {
            for (Registration registration : handlers) {
              registration.deliver(unprefixed, payload);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("dropped a message on '{}': pub/sub is closed", unprefixed);
    }
  }

  private static void requireValidChannel(@Nullable String channel) {
    try {
      CacheKeys.requireValidKey(channel);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid channel: " + e.getMessage(), e);
    }
  }

  private final class Listener extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String channel, byte[] message) {
      dispatch(
          channel.startsWith(prefix) ? channels.get(channel.substring(prefix.length())) : null,
          channel,
          message);
    }

    @Override
    public void message(String pattern, String channel, byte[] message) {
      dispatch(
          pattern.startsWith(prefix) ? patterns.get(pattern.substring(prefix.length())) : null,
          channel,
          message);
    }
  }

  private final class Registration implements Subscription {
    private final Map<String, List<Registration>> registry;
    private final String name;
    private final boolean pattern;
    private final Delivery delivery;
    private volatile boolean active = true;

    Registration(
        Map<String, List<Registration>> registry, String name, boolean pattern, Delivery delivery) {
      this.registry = registry;
      this.name = name;
      this.pattern = pattern;
      this.delivery = delivery;
    }

    void deliver(String channel, byte[] payload) {
      if (!active) {
        return;
      }
      try {
        delivery.deliver(channel, payload);
        received.increment();
      } catch (io.tierstate.codec.CodecException e) {
        decodeErrors.increment();
        log.warn(
            "a message on '{}' could not be decoded for the subscription to '{}': {}",
            channel,
            name,
            e.getMessage());
      } catch (RuntimeException e) {
        handlerErrors.increment();
        log.error(
            "a handler subscribed to '{}' threw on a message from '{}'; it stays subscribed",
            name,
            channel,
            e);
      }
    }

    @Override
    public String channel() {
      return name;
    }

    @Override
    public boolean isActive() {
      return active;
    }

    @Override
    public void close() {
      if (active) {
        active = false;
        unregister(this);
      }
    }

    @Override
    public String toString() {
      return "Subscription["
          + (pattern ? "pattern " : "channel ")
          + name
          + (active ? "" : ", closed")
          + "]";
    }
  }
}
