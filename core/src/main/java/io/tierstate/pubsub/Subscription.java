package io.tierstate.pubsub;

/**
 * A handler registered with {@link PubSub#subscribe} or {@link PubSub#psubscribe}. Close it to stop
 * delivery to that handler.
 *
 * <p>Thread-safe.
 */
public interface Subscription extends AutoCloseable {

  /** The channel or pattern subscribed to, as the caller passed it (without the namespace). */
  String channel();

  /** Whether the handler still receives messages (until {@link #close()}). */
  boolean isActive();

  /**
   * Stops delivery to this handler: no message is passed to it once this returns, except one whose
   * delivery had already begun. When it was the last handler on its channel, the node unsubscribes
   * in Redis too (a failure to do so is logged; delivery stops anyway). Closing again does nothing.
   */
  @Override
  void close();
}
