package io.tierstate.jcache;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;

/** One entry event, delivered to the listeners registered on this node. */
final class Event<K, V> extends CacheEntryEvent<K, V> {
  private static final long serialVersionUID = 1L;

  private final K key;
  private final transient @Nullable V value;
  private final transient @Nullable V oldValue;
  private final boolean oldValueAvailable;

  Event(Cache<K, V> source, EventType type, K key, @Nullable V value, @Nullable V oldValue, boolean oldValueAvailable) {
    super(source, type);
    this.key = key;
    this.value = value;
    this.oldValue = oldValue;
    this.oldValueAvailable = oldValueAvailable;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  @SuppressWarnings("NullAway") // JSR-107 defines getValue as null for some events
  public V getValue() {
    return value;
  }

  @Override
  @SuppressWarnings("NullAway") // null when no old value is available, as JSR-107 defines
  public V getOldValue() {
    return oldValue;
  }

  @Override
  public boolean isOldValueAvailable() {
    return oldValueAvailable;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("a cache entry event cannot be unwrapped to " + clazz.getName());
  }
}
