package io.tierstate.jcache;

import static java.util.Objects.requireNonNull;

import io.tierstate.Tierstate;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.jspecify.annotations.Nullable;

/**
 * A JCache cache manager backed by one Tierstate node (its own Redis connections, L1 and
 * invalidation listener), started on first use and closed with the manager. Caches of the same name
 * in managers of the same scope, on the same Redis and namespace, are one cache across nodes.
 *
 * <p>Thread-safe.
 */
public final class TierstateCacheManager implements CacheManager {
  private final TierstateCachingProvider provider;
  private final URI uri;
  private final ClassLoader classLoader;
  private final Properties properties;
  private final ProviderSettings settings;
  private final ConcurrentMap<String, TierstateJCache<?, ?>> caches = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private @Nullable Tierstate tierstate;
  private @Nullable TypedCodec codec;
  private volatile boolean closed;

  TierstateCacheManager(TierstateCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this.provider = provider;
    this.uri = uri;
    this.classLoader = classLoader;
    this.properties = properties;
    this.settings = ProviderSettings.read(uri, properties, classLoader);
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    open();
    requireNonNull(cacheName, "cacheName");
    requireNonNull(configuration, "configuration");
    synchronized (lifecycle) {
      open();
      if (caches.containsKey(cacheName)) {
        throw new CacheException("cache " + cacheName + " already exists in " + uri);
      }
      CompleteConfiguration<K, V> complete = configuration instanceof CompleteConfiguration<K, V> c
          ? c
          : new MutableConfiguration<K, V>().setTypes(configuration.getKeyType(), configuration.getValueType())
              .setStoreByValue(configuration.isStoreByValue());
      Tierstate node = node();
      TierstateJCache<K, V> cache = new TierstateJCache<>(this, cacheName, complete, node.cache(),
          requireNonNull(codec), settings.scope);
      caches.put(cacheName, cache);
      return cache;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> @Nullable Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    open();
    requireNonNull(cacheName, "cacheName");
    requireNonNull(keyType, "keyType");
    requireNonNull(valueType, "valueType");
    TierstateJCache<?, ?> cache = caches.get(cacheName);
    if (cache == null) {
      return null;
    }
    CompleteConfiguration<?, ?> configuration = cache.getConfiguration(CompleteConfiguration.class);
    if (!configuration.getKeyType().equals(keyType) || !configuration.getValueType().equals(valueType)) {
      throw new ClassCastException("cache " + cacheName + " holds " + configuration.getKeyType().getName() + " -> "
          + configuration.getValueType().getName() + ", not " + keyType.getName() + " -> " + valueType.getName());
    }
    return (Cache<K, V>) cache;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> @Nullable Cache<K, V> getCache(String cacheName) {
    open();
    requireNonNull(cacheName, "cacheName");
    return (Cache<K, V>) caches.get(cacheName);
  }

  @Override
  public Iterable<String> getCacheNames() {
    open();
    return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
  }

  @Override
  public void destroyCache(String cacheName) {
    open();
    requireNonNull(cacheName, "cacheName");
    TierstateJCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.destroyData();
      cache.close();
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    open();
    requireNonNull(cacheName, "cacheName");
    TierstateJCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.managementEnabled(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    open();
    requireNonNull(cacheName, "cacheName");
    TierstateJCache<?, ?> cache = caches.get(cacheName);
    if (cache != null) {
      cache.statisticsEnabled(enabled);
    }
  }

  @Override
  public void close() {
    Tierstate node;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      for (TierstateJCache<?, ?> cache : caches.values()) {
        cache.close();
      }
      caches.clear();
      node = tierstate;
      tierstate = null;
    }
    provider.released(this);
    if (node != null) {
      node.close();
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    if (clazz.equals(Tierstate.class)) {
      return clazz.cast(node());
    }
    throw new IllegalArgumentException("a Tierstate cache manager cannot be unwrapped to " + clazz.getName());
  }

  /** Forgets a cache that was closed or destroyed. */
  void released(TierstateJCache<?, ?> cache) {
    caches.remove(cache.getName(), cache);
  }

  /** The Tierstate node behind this manager, started on first use. */
  private Tierstate node() {
    synchronized (lifecycle) {
      open();
      Tierstate node = tierstate;
      if (node == null) {
        try {
          node = Tierstate.create(settings.config);
        } catch (RuntimeException e) {
          throw new CacheException("cannot start Tierstate for the JCache manager " + uri + ": " + e.getMessage(), e);
        }
        tierstate = node;
        codec = new TypedCodec(settings.codec, classLoader, settings.allowedTypes);
      }
      return node;
    }
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("the cache manager " + uri + " is closed");
    }
  }
}
