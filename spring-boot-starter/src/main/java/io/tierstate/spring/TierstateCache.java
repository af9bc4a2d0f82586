package io.tierstate.spring;

import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.TypeRef;
import io.tierstate.keys.CacheKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Spring {@link Cache} whose entries live in Tierstate: L1 on this node, L2 in Redis, coherent
 * across nodes. Writes and evictions reach every node's L1; {@link #clear()} invalidates the cache's
 * tag (never {@code KEYS}); {@link #get(Object, Callable)}, which {@code @Cacheable(sync = true)}
 * calls, runs the loader once across every node.
 *
 * <p>Values are decoded into a type the code names, never one read from Redis: {@link
 * TierstateCacheResolver} hands {@code @Cacheable} methods a view typed by their return type ({@link
 * #typed}); {@link #get(Object, Class)} names its own; an untyped {@link #get(Object)} outside a
 * cached method decodes JSON as maps, lists, strings and numbers.
 *
 * <p>Null values are not stored: {@code put(key, null)} evicts the key. Absence is remembered only
 * by {@code sync = true} reads of a cache with {@code cache-absent} set.
 *
 * <p>Thread-safe.
 */
public final class TierstateCache implements Cache {
  private static final TypeRef<?> UNTYPED = TypeRef.of(Object.class);
  private static final int MAX_PLAIN_KEY = 200;

  private final String name;
  private final TieredCache cache;
  private final CacheOptions options;
  private final String tag;
  private final TypeRef<?> valueType;

  TierstateCache(String name, TieredCache cache, CacheOptions options, String tag) {
    this(name, cache, options, tag, UNTYPED);
  }

  private TierstateCache(String name, TieredCache cache, CacheOptions options, String tag, TypeRef<?> valueType) {
    this.name = name;
    this.cache = cache;
    this.options = options;
    this.tag = tag;
    this.valueType = valueType;
  }

  /** The tag that every entry of the cache {@code name} carries, which {@link #clear()} invalidates. */
  static String tagOf(String name) {
    return "spring-cache:" + name;
  }

  /**
   * This cache, decoding values as {@code type}; the same entries, the same options.
   *
   * @throws IllegalArgumentException if {@code type} contains a type variable
   */
  public TierstateCache typed(java.lang.reflect.Type type) {
    return new TierstateCache(name, cache, options, tag, TypeRef.of(type));
  }

  /** The options every entry is written with: its ttl, tags and refresh policies. */
  public CacheOptions options() {
    return options;
  }

  @Override
  public String getName() {
    return name;
  }

  /** The shared {@link TieredCache}, which holds the entries of every Spring cache. */
  @Override
  public TieredCache getNativeCache() {
    return cache;
  }

  @Override
  public @Nullable ValueWrapper get(Object key) {
    Optional<?> value = cache.get(keyOf(key), valueType);
    return value.map(SimpleValueWrapper::new).orElse(null);
  }

  @Override
  public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
    if (type == null) {
      @SuppressWarnings("unchecked") // untyped: the caller takes what JSON gives
      T value = (T) cache.get(keyOf(key), valueType).orElse(null);
      return value;
    }
    return cache.get(keyOf(key), type).orElse(null);
  }

  @Override
  public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
    @SuppressWarnings("unchecked") // the view's type is the loader's: both come from the cached method
    TypeRef<T> type = (TypeRef<T>) valueType;
    try {
      return cache.getOrLoad(keyOf(key), type, valueLoader::call, options);
    } catch (CacheLoadException e) {
      // Spring rethrows the cause, which is the cached method's own exception.
      throw new ValueRetrievalException(key, valueLoader, e.getCause() != null ? e.getCause() : e);
    }
  }

  @Override
  public void put(Object key, @Nullable Object value) {
    if (value == null) {
      cache.delete(keyOf(key));
    } else {
      cache.set(keyOf(key), value, options);
    }
  }

  @Override
  public void evict(Object key) {
    cache.delete(keyOf(key));
  }

  /** Invalidates every entry of this cache on every node, through its tag. */
  @Override
  public void clear() {
    cache.invalidateTags(tag);
  }

  @Override
  public boolean invalidate() {
    return cache.invalidateTags(tag) > 0;
  }

  /**
   * The Tierstate key of a Spring cache key: {@code <cache>:<key>} for strings, numbers, booleans,
   * UUIDs and enums that make a valid key, else {@code <cache>:#<SHA-256 of key.toString()>}, as
   * for {@code SimpleKey} (several parameters) and records.
   *
   * @throws IllegalArgumentException if the key's class does not override {@code toString()}, which
   *     would give every instance its own key
   */
  String keyOf(Object key) {
    if (key instanceof CharSequence || key instanceof Number || key instanceof Boolean
        || key instanceof UUID || key instanceof Enum<?> || key instanceof Character) {
      String text = key.toString();
      if (!text.isEmpty() && text.length() <= MAX_PLAIN_KEY && text.charAt(0) != '#' && plain(text)) {
        return name + ":" + text;
      }
      return name + ":#" + sha256(text);
    }
    if (!overridesToString(key.getClass())) {
      throw new IllegalArgumentException("cache '" + name + "' was given a key of " + key.getClass().getName()
          + ", which does not override toString(): use a record, a String or a key expression (key = \"#id\")");
    }
    return name + ":#" + sha256(key.getClass().getName() + ":" + key);
  }

  private static boolean plain(String text) {
    try {
      CacheKeys.requireValidKey(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean overridesToString(Class<?> type) {
    try {
      return type.getMethod("toString").getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "TierstateCache[" + name + ", " + options + "]";
  }
}
