package io.tierstate.jcache;

import static java.util.Objects.requireNonNull;

import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.RedisUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import org.jspecify.annotations.Nullable;

/**
 * A JCache cache whose entries live in a Tierstate tiered cache: Caffeine L1 in front of Redis,
 * coherent across every node that opens the same cache (same Redis, namespace and scope). Keys and
 * values are stored by value through the configured codec. Compound operations ({@code
 * putIfAbsent}, {@code replace}, {@code invoke}...) are atomic among the threads of one node;
 * entry listeners, statistics and MXBeans are per node. See docs/jcache.md.
 *
 * <p>Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TierstateJCache<K, V> implements Cache<K, V> {
  /** How long an expired entry stays in Redis, so that the node reading it can report its expiry. */
  private static final long EXPIRED_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(30);
  private static final long MAX_TTL_MILLIS = TimeUnit.DAYS.toMillis(365);
  private static final int LOCK_STRIPES = 64;

  private final TierstateCacheManager manager;
  private final String name;
  private final MutableConfiguration<K, V> configuration;
  private final TieredCache store;
  private final TypedCodec codec;
  private final String prefix;
  private final Class<K> keyType;
  private final Class<V> valueType;
  private final @Nullable CacheLoader<K, V> loader;
  private final @Nullable CacheWriter<K, V> writer;
  private final ExpiryPolicy expiry;
  private final Listeners<K, V> listeners;
  private final Statistics statistics = new Statistics();
  private final ConfigurationBean configurationBean;
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
  private volatile boolean closed;

  TierstateJCache(TierstateCacheManager manager, String name, CompleteConfiguration<K, V> complete,
      TieredCache store, TypedCodec codec, String scope) {
    this.manager = manager;
    this.name = name;
    this.configuration = new MutableConfiguration<>(complete);
    this.store = store;
    this.codec = codec;
    this.prefix = "jcache:" + scope + ":" + token(name) + ":";
    this.keyType = configuration.getKeyType();
    this.valueType = configuration.getValueType();
    Factory<CacheLoader<K, V>> loaderFactory = configuration.getCacheLoaderFactory();
    this.loader = loaderFactory == null ? null : loaderFactory.create();
    Factory<CacheWriter<? super K, ? super V>> writerFactory = configuration.getCacheWriterFactory();
    this.writer = writerFactory == null ? null : narrow(writerFactory.create());
    Factory<ExpiryPolicy> expiryFactory = configuration.getExpiryPolicyFactory();
    this.expiry = expiryFactory.create();
    this.listeners = new Listeners<>(this);
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      listeners.register(listener);
    }
    this.configurationBean = new ConfigurationBean(configuration);
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new ReentrantLock();
    }
    statistics.enabled(configuration.isStatisticsEnabled());
    if (configuration.isStatisticsEnabled()) {
      MBeans.register(statistics, "CacheStatistics", manager.getURI().toString(), name);
    }
    if (configuration.isManagementEnabled()) {
      MBeans.register(configurationBean, "CacheConfiguration", manager.getURI().toString(), name);
    }
  }

  @SuppressWarnings("unchecked") // a writer of supertypes accepts this cache's entries
  private static <K, V> CacheWriter<K, V> narrow(CacheWriter<? super K, ? super V> writer) {
    return (CacheWriter<K, V>) writer;
  }

  /** The cache name as it appears in Redis keys: itself when it is plain, else a digest. */
  private static String token(String name) {
    return name.matches("[A-Za-z0-9._-]{1,100}") ? name : "~" + ProviderSettings.digest(name);
  }

  // ---- reads ----

  @Override
  public @Nullable V get(K key) {
    open();
    Key k = key(key);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current != null) {
        statistics.hits(1);
        touch(k, current);
        return current.value();
      }
      statistics.misses(1);
      return readThroughLocked(k, key);
    } finally {
      unlock(k);
      statistics.getTime(start);
    }
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    open();
    requireNonNull(keys, "keys");
    for (K key : keys) {
      requireNonNull(key, "a key");
    }
    Map<K, V> result = new LinkedHashMap<>();
    List<K> missing = new ArrayList<>();
    long start = System.nanoTime();
    for (K key : keys) {
      Key k = key(key);
      lock(k);
      try {
        Current current = current(k, key);
        if (current != null) {
          statistics.hits(1);
          touch(k, current);
          result.put(key, current.value());
        } else {
          statistics.misses(1);
          missing.add(key);
        }
      } finally {
        unlock(k);
      }
    }
    if (!missing.isEmpty() && configuration.isReadThrough() && loader != null) {
      Map<K, V> loaded = loadAll(loader, missing);
      for (Map.Entry<K, V> e : loaded.entrySet()) {
        if (e.getKey() != null && e.getValue() != null && putLoaded(e.getKey(), e.getValue(), false)) {
          result.put(e.getKey(), e.getValue());
        }
      }
    }
    statistics.getTime(start);
    return result;
  }

  @Override
  public boolean containsKey(K key) {
    open();
    Key k = key(key);
    lock(k);
    try {
      return current(k, key) != null;
    } finally {
      unlock(k);
    }
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, @Nullable CompletionListener completionListener) {
    open();
    requireNonNull(keys, "keys");
    for (K key : keys) {
      requireNonNull(key, "a key");
    }
    CacheLoader<K, V> cacheLoader = loader;
    if (cacheLoader == null) {
      if (completionListener != null) {
        completionListener.onCompletion();
      }
      return;
    }
    List<K> toLoad = new ArrayList<>(keys);
    Thread.ofVirtual().name("jcache-loadAll-" + name).start(() -> {
      try {
        List<K> wanted = replaceExistingValues ? toLoad : toLoad.stream().filter(k -> !containsKey(k)).toList();
        if (!wanted.isEmpty()) {
          Map<K, V> loaded = loadAll(cacheLoader, wanted);
          for (Map.Entry<K, V> e : loaded.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
              putLoaded(e.getKey(), e.getValue(), replaceExistingValues);
            }
          }
        }
        if (completionListener != null) {
          completionListener.onCompletion();
        }
      } catch (Exception e) {
        if (completionListener != null) {
          completionListener.onException(e);
        }
      }
    });
  }

  // ---- writes ----

  @Override
  public void put(K key, V value) {
    open();
    Key k = key(key);
    requireValue(value);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      write(k, key, value, current, true);
    } finally {
      unlock(k);
      statistics.putTime(start);
    }
  }

  @Override
  public @Nullable V getAndPut(K key, V value) {
    open();
    Key k = key(key);
    requireValue(value);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
      } else {
        statistics.hits(1);
      }
      V old = current == null ? null : current.value();
      write(k, key, value, current, true);
      return old;
    } finally {
      unlock(k);
      statistics.putTime(start);
      statistics.getTime(start);
    }
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    open();
    requireNonNull(map, "map");
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      requireNonNull(e.getKey(), "a key");
      requireNonNull(e.getValue(), "a value");
      checkKeyType(e.getKey());
      checkValueType(e.getValue());
    }
    long start = System.nanoTime();
    Map<K, V> toStore = new LinkedHashMap<>(map);
    CacheWriterException failure = null;
    if (configuration.isWriteThrough() && writer != null) {
      List<Entry<K, V>> entries = new ArrayList<>();
      map.forEach((key, value) -> entries.add(new Entry<>(key, value)));
      Collection<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>(entries);
      try {
        writer.writeAll(pending);
      } catch (RuntimeException e) {
        failure = writerFailure(e);
        // Only the entries the writer took out of the collection were written; store just those.
        for (Cache.Entry<? extends K, ? extends V> left : pending) {
          toStore.remove(left.getKey());
        }
      }
    }
    for (Map.Entry<K, V> e : toStore.entrySet()) {
      Key k = key(e.getKey());
      lock(k);
      try {
        write(k, e.getKey(), e.getValue(), current(k, e.getKey()), false);
      } finally {
        unlock(k);
      }
    }
    statistics.putTime(start);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    open();
    Key k = key(key);
    requireValue(value);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current != null) {
        statistics.hits(1);
        return false;
      }
      statistics.misses(1);
      write(k, key, value, null, true);
      return true;
    } finally {
      unlock(k);
      statistics.putTime(start);
    }
  }

  @Override
  public boolean remove(K key) {
    open();
    Key k = key(key);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      deleteThrough(key);
      if (current == null) {
        return false;
      }
      removeLocked(k, key, current);
      return true;
    } finally {
      unlock(k);
      statistics.removeTime(start);
    }
  }

  @Override
  public boolean remove(K key, V oldValue) {
    open();
    Key k = key(key);
    requireValue(oldValue);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
        return false;
      }
      statistics.hits(1);
      if (!current.value().equals(oldValue)) {
        touch(k, current);
        return false;
      }
      deleteThrough(key);
      removeLocked(k, key, current);
      return true;
    } finally {
      unlock(k);
      statistics.removeTime(start);
    }
  }

  @Override
  public @Nullable V getAndRemove(K key) {
    open();
    Key k = key(key);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      deleteThrough(key);
      if (current == null) {
        statistics.misses(1);
        return null;
      }
      statistics.hits(1);
      removeLocked(k, key, current);
      return current.value();
    } finally {
      unlock(k);
      statistics.removeTime(start);
      statistics.getTime(start);
    }
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    open();
    Key k = key(key);
    requireValue(oldValue);
    requireValue(newValue);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
        return false;
      }
      statistics.hits(1);
      if (!current.value().equals(oldValue)) {
        touch(k, current);
        return false;
      }
      write(k, key, newValue, current, true);
      return true;
    } finally {
      unlock(k);
      statistics.putTime(start);
    }
  }

  @Override
  public boolean replace(K key, V value) {
    open();
    Key k = key(key);
    requireValue(value);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
        return false;
      }
      statistics.hits(1);
      write(k, key, value, current, true);
      return true;
    } finally {
      unlock(k);
      statistics.putTime(start);
    }
  }

  @Override
  public @Nullable V getAndReplace(K key, V value) {
    open();
    Key k = key(key);
    requireValue(value);
    long start = System.nanoTime();
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
        return null;
      }
      statistics.hits(1);
      V old = current.value();
      write(k, key, value, current, true);
      return old;
    } finally {
      unlock(k);
      statistics.putTime(start);
      statistics.getTime(start);
    }
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    open();
    requireNonNull(keys, "keys");
    for (K key : keys) {
      requireNonNull(key, "a key");
    }
    long start = System.nanoTime();
    Set<K> toRemove = new HashSet<>(keys);
    CacheWriterException failure = null;
    if (configuration.isWriteThrough() && writer != null && !keys.isEmpty()) {
      Collection<Object> pending = new ArrayList<>(keys);
      try {
        writer.deleteAll(pending);
      } catch (RuntimeException e) {
        failure = writerFailure(e);
        pending.forEach(toRemove::remove);
      }
    }
    for (K key : toRemove) {
      Key k = key(key);
      lock(k);
      try {
        Current current = current(k, key);
        if (current != null) {
          removeLocked(k, key, current);
        }
      } finally {
        unlock(k);
      }
    }
    statistics.removeTime(start);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void removeAll() {
    open();
    Set<K> keys = new HashSet<>();
    for (String storageKey : storageKeys()) {
      StoredEntry entry = store.get(storageKey, StoredEntry.class).orElse(null);
      if (entry != null) {
        keys.add(codec.decode(entry.keyType(), entry.key(), keyType));
      }
    }
    removeAll(keys);
  }

  @Override
  public void clear() {
    open();
    try {
      store.keys(prefix + "*").forEach(store::delete);
    } catch (RedisUnavailableException e) {
      throw new CacheException("cannot clear cache " + name + ": Redis is unreachable", e);
    }
  }

  // ---- entry processors ----

  @Override
  public <T> @Nullable T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    open();
    Key k = key(key);
    requireNonNull(entryProcessor, "entryProcessor");
    lock(k);
    try {
      Current current = current(k, key);
      if (current == null) {
        statistics.misses(1);
      } else {
        statistics.hits(1);
      }
      ProcessedEntry entry = new ProcessedEntry(k, key, current);
      T result;
      try {
        result = entryProcessor.process(entry, arguments);
      } catch (EntryProcessorException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new EntryProcessorException(e);
      }
      entry.apply();
      return result;
    } finally {
      unlock(k);
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    open();
    requireNonNull(keys, "keys");
    requireNonNull(entryProcessor, "entryProcessor");
    for (K key : keys) {
      requireNonNull(key, "a key");
    }
    Map<K, EntryProcessorResult<T>> results = new LinkedHashMap<>();
    for (K key : keys) {
      try {
        T result = invoke(key, entryProcessor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> {
          throw e;
        });
      } catch (RuntimeException e) {
        EntryProcessorException wrapped = new EntryProcessorException(e);
        results.put(key, () -> {
          throw wrapped;
        });
      }
    }
    return results;
  }

  /** What an entry processor did to its entry, as JSR-107's reference implementation tracks it. */
  private enum Operation { NONE, ACCESS, CREATE, LOAD, UPDATE, REMOVE }

  /** The entry an {@link EntryProcessor} sees; its changes are applied once the processor returns. */
  private final class ProcessedEntry implements MutableEntry<K, V> {
    private final Key k;
    private final K key;
    private final @Nullable Current original;
    private @Nullable V value;
    private Operation operation = Operation.NONE;

    ProcessedEntry(Key k, K key, @Nullable Current original) {
      this.k = k;
      this.key = key;
      this.original = original;
      this.value = original == null ? null : original.value();
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    @SuppressWarnings("NullAway") // JSR-107: null when the entry does not exist
    public V getValue() {
      if (value != null) {
        if (operation == Operation.NONE) {
          operation = Operation.ACCESS;
        }
        return value;
      }
      if (operation == Operation.NONE && configuration.isReadThrough() && loader != null) {
        V fromLoader = loadOne(loader, key);
        if (fromLoader != null) {
          checkValueType(fromLoader);
          value = fromLoader;
          operation = Operation.LOAD;
        }
      }
      return value;
    }

    @Override
    public boolean exists() {
      return value != null;
    }

    @Override
    public void remove() {
      operation = operation == Operation.CREATE || operation == Operation.LOAD ? Operation.NONE : Operation.REMOVE;
      value = null;
    }

    @Override
    public void setValue(V newValue) {
      requireValue(newValue);
      value = newValue;
      operation = original != null ? Operation.UPDATE : Operation.CREATE;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("a mutable entry cannot be unwrapped to " + clazz.getName());
    }

    void apply() {
      V newValue = value;
      switch (operation) {
        case NONE -> { }
        case ACCESS -> {
          if (original != null) {
            touch(k, original);
          }
        }
        case CREATE, UPDATE -> write(k, key, requireNonNull(newValue), original, true);
        case LOAD -> storeLoaded(k, key, requireNonNull(newValue), original);
        case REMOVE -> {
          deleteThrough(key);
          if (original != null) {
            removeLocked(k, key, original);
          }
        }
      }
    }
  }

  // ---- listeners, configuration, lifecycle ----

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> cacheEntryListenerConfiguration) {
    open();
    requireNonNull(cacheEntryListenerConfiguration, "cacheEntryListenerConfiguration");
    listeners.register(cacheEntryListenerConfiguration);
    configuration.addCacheEntryListenerConfiguration(cacheEntryListenerConfiguration);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> cacheEntryListenerConfiguration) {
    open();
    requireNonNull(cacheEntryListenerConfiguration, "cacheEntryListenerConfiguration");
    if (listeners.deregister(cacheEntryListenerConfiguration)) {
      configuration.removeCacheEntryListenerConfiguration(cacheEntryListenerConfiguration);
    }
  }

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    if (clazz.isInstance(configuration)) {
      return clazz.cast(configuration);
    }
    throw new IllegalArgumentException("the configuration of cache " + name + " is not a " + clazz.getName());
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    manager.released(this);
    MBeans.unregister("CacheStatistics", manager.getURI().toString(), name);
    MBeans.unregister("CacheConfiguration", manager.getURI().toString(), name);
    listeners.close();
    Listeners.closeQuietly(loader);
    Listeners.closeQuietly(writer);
    Listeners.closeQuietly(expiry);
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
    throw new IllegalArgumentException("cache " + name + " cannot be unwrapped to " + clazz.getName());
  }

  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    open();
    return new EntryIterator(storageKeys().iterator());
  }

  void statisticsEnabled(boolean enabled) {
    configuration.setStatisticsEnabled(enabled);
    statistics.enabled(enabled);
    if (enabled) {
      MBeans.register(statistics, "CacheStatistics", manager.getURI().toString(), name);
    } else {
      MBeans.unregister("CacheStatistics", manager.getURI().toString(), name);
    }
  }

  void managementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    if (enabled) {
      MBeans.register(configurationBean, "CacheConfiguration", manager.getURI().toString(), name);
    } else {
      MBeans.unregister("CacheConfiguration", manager.getURI().toString(), name);
    }
  }

  /** Deletes every entry of this cache on every node; used when the cache is destroyed. */
  void destroyData() {
    try {
      store.keys(prefix + "*").forEach(store::delete);
    } catch (RedisUnavailableException e) {
      throw new CacheException("cannot destroy cache " + name + ": Redis is unreachable", e);
    }
  }

  private final class EntryIterator implements Iterator<Cache.Entry<K, V>> {
    private final Iterator<String> storageKeys;
    private @Nullable Entry<K, V> next;
    private @Nullable Entry<K, V> last;

    EntryIterator(Iterator<String> storageKeys) {
      this.storageKeys = storageKeys;
    }

    @Override
    public boolean hasNext() {
      while (next == null && storageKeys.hasNext()) {
        String storageKey = storageKeys.next();
        StoredEntry stored = store.get(storageKey, StoredEntry.class).orElse(null);
        if (stored == null) {
          continue;
        }
        K key = codec.decode(stored.keyType(), stored.key(), keyType);
        Key k = key(key);
        lock(k);
        try {
          Current current = current(k, key);
          if (current != null) {
            statistics.hits(1);
            touch(k, current);
            next = new Entry<>(key, current.value());
          }
        } finally {
          unlock(k);
        }
      }
      return next != null;
    }

    @Override
    public Cache.Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Entry<K, V> entry = requireNonNull(next);
      next = null;
      last = entry;
      return entry;
    }

    @Override
    public void remove() {
      Entry<K, V> entry = last;
      if (entry == null) {
        throw new IllegalStateException("next() was not called, or remove() was already called");
      }
      last = null;
      TierstateJCache.this.remove(entry.getKey());
    }
  }

  /** A key and value handed out by the iterator and to writers. */
  public static final class Entry<K, V> implements Cache.Entry<K, V> {
    private final K key;
    private final V value;

    Entry(K key, V value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("a cache entry cannot be unwrapped to " + clazz.getName());
    }

    @Override
    public String toString() {
      return "Entry{" + key + "=" + value + "}";
    }
  }

  // ---- plumbing ----

  /** A key as it is stored: the Tierstate key and the encoded JCache key. */
  @SuppressWarnings("ArrayRecordComponent") // encoded bytes, never mutated nor compared as records
  private record Key(String storageKey, String typeName, byte[] bytes, int stripe) {}

  /** A live entry read under its key's lock; the value is decoded once, on first use. */
  private final class Current {
    final StoredEntry stored;
    private @Nullable V decoded;

    Current(StoredEntry stored) {
      this.stored = stored;
    }

    V value() {
      V value = decoded;
      if (value == null) {
        value = codec.decode(stored.valueType(), stored.value(), valueType);
        decoded = value;
      }
      return value;
    }
  }

  private Key key(K key) {
    requireNonNull(key, "key");
    checkKeyType(key);
    byte[] bytes = codec.encode(key);
    String typeName = TypedCodec.typeName(key);
    byte[] typeBytes = typeName.getBytes(StandardCharsets.UTF_8);
    byte[] identity = Arrays.copyOf(typeBytes, typeBytes.length + 1 + bytes.length);
    System.arraycopy(bytes, 0, identity, typeBytes.length + 1, bytes.length);
    String digest = ProviderSettings.digest(identity);
    return new Key(prefix + digest, typeName, bytes, Math.floorMod(digest.hashCode(), LOCK_STRIPES));
  }

  private void checkKeyType(Object key) {
    if (!keyType.isInstance(key)) {
      throw new ClassCastException("cache " + name + " holds keys of " + keyType.getName() + ", not "
          + key.getClass().getName());
    }
  }

  private void checkValueType(Object value) {
    if (!valueType.isInstance(value)) {
      throw new ClassCastException("cache " + name + " holds values of " + valueType.getName() + ", not "
          + value.getClass().getName());
    }
  }

  private void requireValue(@Nullable V value) {
    requireNonNull(value, "value");
    checkValueType(value);
  }

  private void lock(Key k) {
    locks[k.stripe()].lock();
  }

  private void unlock(Key k) {
    locks[k.stripe()].unlock();
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  private List<String> storageKeys() {
    try {
      return store.keys(prefix + "*");
    } catch (RedisUnavailableException e) {
      throw new CacheException("cannot list the entries of cache " + name + ": Redis is unreachable", e);
    }
  }

  /** The live entry under {@code k}, or null; an entry found expired is deleted and reported. */
  private @Nullable Current current(Key k, K key) {
    Optional<StoredEntry> found;
    try {
      found = store.get(k.storageKey(), StoredEntry.class);
    } catch (IllegalArgumentException e) {
      throw new CacheException("cannot read cache " + name + ": " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      return null;
    }
    StoredEntry stored = found.get();
    if (!stored.keyType().equals(k.typeName()) || !Arrays.equals(stored.key(), k.bytes())) {
      return null;
    }
    Current current = new Current(stored);
    if (stored.expiredAt(System.currentTimeMillis())) {
      store.delete(k.storageKey());
      if (listeners.any(javax.cache.event.EventType.EXPIRED)) {
        listeners.expired(key, current.value());
      }
      return null;
    }
    return current;
  }

  /**
   * Stores {@code value} as the new value of an entry that is {@code current} (null: absent),
   * through the writer first when write-through, with the creation or update expiry.
   */
  private void write(Key k, K key, V value, @Nullable Current current, boolean throughWriter) {
    if (throughWriter && configuration.isWriteThrough() && writer != null) {
      try {
        writer.write(new Entry<>(key, value));
      } catch (RuntimeException e) {
        throw writerFailure(e);
      }
    }
    long expiresAt;
    if (current == null) {
      expiresAt = expiryAt(creationExpiry(), System.currentTimeMillis());
      if (expiresAt <= System.currentTimeMillis()) {
        return; // expired on creation: never stored
      }
    } else {
      Duration update = updateExpiry();
      expiresAt = update == null ? current.stored.expiresAt() : expiryAt(update, System.currentTimeMillis());
    }
    save(k, value, expiresAt);
    statistics.puts(1);
    if (current == null) {
      listeners.created(key, value);
    } else {
      listeners.updated(key, value, current.value());
    }
  }

  /** Stores a value a loader returned; never through the writer. Returns whether it was stored. */
  private boolean putLoaded(K key, V value, boolean replaceExisting) {
    checkValueType(value);
    Key k = key(key);
    lock(k);
    try {
      Current current = current(k, key);
      if (current != null && !replaceExisting) {
        return true;
      }
      storeLoaded(k, key, value, current);
      return true;
    } finally {
      unlock(k);
    }
  }

  private void storeLoaded(Key k, K key, V value, @Nullable Current current) {
    write(k, key, value, current, false);
  }

  private void save(Key k, V value, long expiresAt) {
    StoredEntry stored = new StoredEntry(k.typeName(), k.bytes(), TypedCodec.typeName(value), codec.encode(value), expiresAt);
    long now = System.currentTimeMillis();
    long ttl = expiresAt == StoredEntry.ETERNAL ? MAX_TTL_MILLIS : Math.min(MAX_TTL_MILLIS, expiresAt - now + EXPIRED_GRACE_MILLIS);
    try {
      store.set(k.storageKey(), stored, CacheOptions.ttl(java.time.Duration.ofMillis(Math.max(1, ttl))));
    } catch (IllegalArgumentException e) {
      throw new CacheException("cannot store in cache " + name + ": " + e.getMessage(), e);
    }
  }

  private void removeLocked(Key k, K key, Current current) {
    store.delete(k.storageKey());
    statistics.removals(1);
    listeners.removed(key, current.value());
  }

  private void deleteThrough(K key) {
    if (configuration.isWriteThrough() && writer != null) {
      try {
        writer.delete(key);
      } catch (RuntimeException e) {
        throw writerFailure(e);
      }
    }
  }

  /** Applies the access expiry to an entry that was just read. */
  private void touch(Key k, Current current) {
    Duration access = accessExpiry();
    if (access == null) {
      return;
    }
    long now = System.currentTimeMillis();
    long expiresAt = expiryAt(access, now);
    if (expiresAt <= now) {
      // Expired by this access: served this once, gone for the next reader.
      store.delete(k.storageKey());
      return;
    }
    save(k, current.value(), expiresAt);
  }

  private @Nullable V readThroughLocked(Key k, K key) {
    if (!configuration.isReadThrough() || loader == null) {
      return null;
    }
    V value = loadOne(loader, key);
    if (value == null) {
      return null;
    }
    checkValueType(value);
    storeLoaded(k, key, value, null);
    return value;
  }

  private @Nullable V loadOne(CacheLoader<K, V> cacheLoader, K key) {
    try {
      return cacheLoader.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("the loader of cache " + name + " failed for " + key, e);
    }
  }

  private Map<K, V> loadAll(CacheLoader<K, V> cacheLoader, List<K> keys) {
    try {
      Map<K, V> loaded = cacheLoader.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (CacheLoaderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CacheLoaderException("the loader of cache " + name + " failed", e);
    }
  }

  private static CacheWriterException writerFailure(RuntimeException e) {
    return e instanceof CacheWriterException cwe ? cwe : new CacheWriterException(e);
  }

  private @Nullable Duration creationExpiry() {
    try {
      return expiry.getExpiryForCreation();
    } catch (RuntimeException e) {
      return Duration.ETERNAL;
    }
  }

  private @Nullable Duration updateExpiry() {
    try {
      return expiry.getExpiryForUpdate();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private @Nullable Duration accessExpiry() {
    try {
      return expiry.getExpiryForAccess();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static long expiryAt(@Nullable Duration duration, long now) {
    if (duration == null || duration.isEternal()) {
      return StoredEntry.ETERNAL;
    }
    if (duration.isZero()) {
      return now;
    }
    long millis = duration.getTimeUnit().toMillis(duration.getDurationAmount());
    return millis >= StoredEntry.ETERNAL - now ? StoredEntry.ETERNAL : now + millis;
  }
}
