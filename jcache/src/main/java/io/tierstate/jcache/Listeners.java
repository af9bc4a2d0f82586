package io.tierstate.jcache;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry listeners registered on one cache on this node, and their delivery. Events are
 * delivered on the thread of the operation that caused them, in order per key: before the
 * operation returns for synchronous listeners (their exceptions reach the caller as {@link
 * CacheEntryListenerException}); an asynchronous listener's exception is logged and dropped.
 *
 * <p>Thread-safe.
 */
final class Listeners<K, V> {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final Cache<K, V> source;
  private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();

  Listeners(Cache<K, V> source) {
    this.source = source;
  }

  void register(CacheEntryListenerConfiguration<K, V> configuration) {
    for (Registration<K, V> registration : registrations) {
      if (registration.configuration.equals(configuration)) {
        throw new IllegalArgumentException("this listener configuration is already registered");
      }
    }
    Factory<CacheEntryListener<? super K, ? super V>> listenerFactory = configuration.getCacheEntryListenerFactory();
    CacheEntryListener<? super K, ? super V> listener = listenerFactory.create();
    Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory = configuration.getCacheEntryEventFilterFactory();
    CacheEntryEventFilter<? super K, ? super V> filter = filterFactory == null ? null : filterFactory.create();
    registrations.add(new Registration<>(configuration, listener, filter));
  }

  /** Removes a registration; returns false if it was not registered. */
  boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    for (Registration<K, V> registration : registrations) {
      if (registration.configuration.equals(configuration)) {
        registrations.remove(registration);
        registration.close();
        return true;
      }
    }
    return false;
  }

  boolean any(EventType type) {
    for (Registration<K, V> registration : registrations) {
      if (registration.accepts(type)) {
        return true;
      }
    }
    return false;
  }

  void created(K key, V value) {
    fire(EventType.CREATED, key, value, null, false);
  }

  void updated(K key, V value, V oldValue) {
    fire(EventType.UPDATED, key, value, oldValue, true);
  }

  void removed(K key, V oldValue) {
    fire(EventType.REMOVED, key, oldValue, oldValue, true);
  }

  void expired(K key, V oldValue) {
    fire(EventType.EXPIRED, key, oldValue, oldValue, true);
  }

  private void fire(EventType type, K key, @Nullable V value, @Nullable V oldValue, boolean oldAvailable) {
    if (registrations.isEmpty()) {
      return;
    }
    CacheEntryListenerException failure = null;
    for (Registration<K, V> registration : registrations) {
      if (!registration.accepts(type)) {
        continue;
      }
      boolean withOld = oldAvailable && (type != EventType.UPDATED || registration.configuration.isOldValueRequired());
      Event<K, V> event = new Event<>(source, type, key, value, withOld ? oldValue : null, withOld);
      try {
        registration.deliver(event);
      } catch (RuntimeException e) {
        if (registration.configuration.isSynchronous()) {
          if (failure == null) {
            failure = e instanceof CacheEntryListenerException cele ? cele : new CacheEntryListenerException(e);
          }
        } else {
          log.warn("An asynchronous JCache entry listener of cache {} failed on a {} event", source.getName(), type, e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  void close() {
    for (Registration<K, V> registration : registrations) {
      registration.close();
    }
    registrations.clear();
  }

  private record Registration<K, V>(
      CacheEntryListenerConfiguration<K, V> configuration,
      CacheEntryListener<? super K, ? super V> listener,
      @Nullable CacheEntryEventFilter<? super K, ? super V> filter) {

    boolean accepts(EventType type) {
      return switch (type) {
        case CREATED -> listener instanceof CacheEntryCreatedListener;
        case UPDATED -> listener instanceof CacheEntryUpdatedListener;
        case REMOVED -> listener instanceof CacheEntryRemovedListener;
        case EXPIRED -> listener instanceof CacheEntryExpiredListener;
      };
    }

    @SuppressWarnings("unchecked")
    void deliver(Event<K, V> event) {
      if (filter != null && !filter.evaluate(event)) {
        return;
      }
      List<javax.cache.event.CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
      switch (event.getEventType()) {
        case CREATED -> ((CacheEntryCreatedListener<K, V>) listener).onCreated(events);
        case UPDATED -> ((CacheEntryUpdatedListener<K, V>) listener).onUpdated(events);
        case REMOVED -> ((CacheEntryRemovedListener<K, V>) listener).onRemoved(events);
        case EXPIRED -> ((CacheEntryExpiredListener<K, V>) listener).onExpired(events);
      }
    }

    void close() {
      closeQuietly(listener);
      closeQuietly(filter);
    }
  }

  static void closeQuietly(@Nullable Object resource) {
    if (resource instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException | RuntimeException e) {
        log.warn("Closing {} failed", resource, e);
      }
    } else if (resource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Closing {} failed", resource, e);
      }
    }
  }
}
