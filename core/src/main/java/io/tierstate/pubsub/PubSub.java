package io.tierstate.pubsub;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Publish/subscribe between nodes over Redis. Payloads are encoded with the configured codec (JSON
 * by default) and decoded into the type each subscriber names. Channels live under the namespace:
 * {@code publish("team:1:activity", ...)} goes to the Redis channel {@code
 * <namespace>:team:1:activity}, so services with different namespaces never see each other's
 * messages.
 *
 * <pre>{@code
 * try (Subscription s = ts.pubsub().subscribe("team:1:activity", Activity.class, a -> feed.push(a))) {
 *   ts.pubsub().publish("team:1:activity", new Activity("u7", "commented"));
 * }
 * }</pre>
 *
 * <p>Delivery is at most once, as in Redis: a message published while a node is disconnected does
 * not reach it. After a reconnect, subscriptions resume by themselves. Handlers run one at a time,
 * in arrival order, on one thread per node; a handler that throws (or a payload that does not
 * decode into its type) is logged and counted, and the subscription stays. Keep handlers quick, or
 * hand work off to an executor of your own.
 *
 * <p>A channel follows the rules of a cache key, and a pattern those of an invalidation pattern
 * ({@code *} and {@code ?}); see {@link io.tierstate.keys.CacheKeys}.
 *
 * <p>Thread-safe.
 */
public interface PubSub {

  /**
   * Publishes {@code payload} to {@code channel}.
   *
   * @return how many subscriptions Redis delivered the message to (in Cluster mode, those on the
   *     node that received the publish)
   * @throws IllegalArgumentException if {@code channel} is not a valid channel name
   * @throws NullPointerException if {@code payload} is null
   * @throws io.tierstate.codec.CodecException if the payload cannot be encoded
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  long publish(String channel, Object payload);

  /**
   * Calls {@code handler} with every message published to {@code channel} from now on, decoded into
   * {@code type}.
   *
   * @throws IllegalArgumentException if {@code channel} is not a valid channel name
   * @throws NullPointerException if {@code type} or {@code handler} is null
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached to subscribe
   */
  <T> Subscription subscribe(String channel, Class<T> type, Consumer<? super T> handler);

  /**
   * Calls {@code handler} with the channel (without the namespace) and payload of every message
   * published from now on to a channel that matches {@code pattern}.
   *
   * @throws IllegalArgumentException if {@code pattern} is not a valid pattern
   * @throws NullPointerException if {@code type} or {@code handler} is null
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached to subscribe
   */
  <T> Subscription psubscribe(String pattern, Class<T> type, BiConsumer<String, ? super T> handler);
}
