package io.tierstate.jcache;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import org.jspecify.annotations.Nullable;

/**
 * The JCache provider of Tierstate, found by {@link javax.cache.Caching} through {@code
 * META-INF/services}. A manager's URI is {@code tierstate:<scope>} (the default is {@value
 * #DEFAULT_URI}) or a Redis URL; its properties, then system properties, then environment variables
 * configure it with the names of {@link io.tierstate.TierstateConfig#fromEnv()}. See docs/jcache.md.
 *
 * <p>Thread-safe.
 */
public final class TierstateCachingProvider implements CachingProvider {
  /** The URI of the default cache manager. */
  public static final String DEFAULT_URI = "tierstate:default";

  private final Map<ClassLoader, Map<URI, TierstateCacheManager>> managers = new WeakHashMap<>();

  /** Creates the provider; {@link javax.cache.Caching} does it. */
  public TierstateCachingProvider() {}

  @Override
  public synchronized CacheManager getCacheManager(@Nullable URI uri, @Nullable ClassLoader classLoader,
      @Nullable Properties properties) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, TierstateCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
    TierstateCacheManager manager = byUri.get(managerUri);
    if (manager == null) {
      Properties copy = new Properties();
      if (properties != null) {
        copy.putAll(properties);
      }
      manager = new TierstateCacheManager(this, managerUri, loader, copy);
      byUri.put(managerUri, manager);
    }
    return manager;
  }

  @Override
  public CacheManager getCacheManager(@Nullable URI uri, @Nullable ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    return getClass().getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return URI.create(DEFAULT_URI);
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    for (Map<URI, TierstateCacheManager> byUri : snapshot().values()) {
      byUri.values().forEach(CacheManager::close);
    }
  }

  @Override
  public void close(@Nullable ClassLoader classLoader) {
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, TierstateCacheManager> byUri = snapshot().get(loader);
    if (byUri != null) {
      byUri.values().forEach(CacheManager::close);
    }
  }

  @Override
  public void close(@Nullable URI uri, @Nullable ClassLoader classLoader) {
    URI managerUri = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, TierstateCacheManager> byUri = snapshot().get(loader);
    TierstateCacheManager manager = byUri == null ? null : byUri.get(managerUri);
    if (manager != null) {
      manager.close();
    }
  }

  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    // Entries are always stored by value (encoded for Redis), so store-by-reference is not offered.
    return false;
  }

  /** Forgets a manager that was closed, so the next request for its URI gets a new one. */
  synchronized void released(TierstateCacheManager manager) {
    Map<URI, TierstateCacheManager> byUri = managers.get(manager.getClassLoader());
    if (byUri != null && byUri.get(manager.getURI()) == manager) {
      byUri.remove(manager.getURI());
    }
  }

  private synchronized Map<ClassLoader, Map<URI, TierstateCacheManager>> snapshot() {
    Map<ClassLoader, Map<URI, TierstateCacheManager>> copy = new HashMap<>();
    managers.forEach((loader, byUri) -> copy.put(loader, new HashMap<>(byUri)));
    return copy;
  }
}
