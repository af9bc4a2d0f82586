package io.tierstate.internal.cache;

import io.tierstate.cache.InvalidationEvent;
import io.tierstate.cache.Invalidator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of {@link Invalidator#onInvalidation}, and telling them. Thread-safe. */
final class InvalidationEvents {
  private static final Logger log = LoggerFactory.getLogger(InvalidationEvents.class);

  private final List<Consumer<InvalidationEvent>> listeners = new CopyOnWriteArrayList<>();
  private final CacheMeters meters;

  InvalidationEvents(CacheMeters meters) {
    this.meters = meters;
  }

  AutoCloseable add(Consumer<InvalidationEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Tells every listener; one that throws is counted and logged, and the others still hear. */
  void emit(
      InvalidationEvent.Kind kind,
      List<String> keys,
      List<String> tags,
      @Nullable String pattern,
      String origin,
      boolean local) {
    if (listeners.isEmpty()) {
      return;
    }
    InvalidationEvent event = new InvalidationEvent(kind, keys, tags, pattern, origin, local);
    for (Consumer<InvalidationEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        meters.listenerErrors.increment();
        log.error("Invalidation listener failed", e);
      }
    }
  }
}
