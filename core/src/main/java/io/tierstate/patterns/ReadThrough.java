package io.tierstate.patterns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.codec.TypeRef;
import io.tierstate.keys.CacheKeys;
import io.tierstate.keys.KeyPattern;
import io.tierstate.metrics.MeterNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Read-through caching: loaders registered by key pattern, so callers read a key without naming its
 * loader. Obtain it from {@code Tierstate.readThrough()}.
 *
 * <pre>{@code
 * ts.readThrough().registerLoader("user:*", key -> db.user(idOf(key)));
 * ts.readThrough().registerLoader("user:admin:*", key -> db.admin(idOf(key)));
 * User u = ts.readThrough().read("user:7", User.class, CacheOptions.ttl(Duration.ofMinutes(5)));
 * }</pre>
 *
 * <p>A read goes through {@link TieredCache#getOrLoad}, so concurrent misses on one key, on any
 * number of nodes, run the loader once. Loaders are registered per node: register the same ones on
 * every node.
 *
 * <p><b>Which loader.</b> Patterns use {@code *} (any run of characters, possibly empty) and {@code
 * ?} (exactly one character). When several patterns match a key, the most specific wins, decided in
 * this order:
 *
 * <ol>
 *   <li>the longer literal prefix (the characters before the first wildcard; a pattern without
 *       wildcards is all prefix, so an exact key always wins);
 *   <li>then more literal (non-wildcard) characters;
 *   <li>then fewer {@code *};
 *   <li>then the pattern that sorts first (by {@link String#compareTo}).
 * </ol>
 *
 * <p>Thread-safe: loaders can be registered while reads run.
 */
public final class ReadThrough {
  private static final Comparator<Registration> MOST_SPECIFIC_FIRST =
      Comparator.comparingInt((Registration r) -> r.literalPrefix)
          .reversed()
          .thenComparing(Comparator.comparingInt((Registration r) -> r.literals).reversed())
          .thenComparingInt(r -> r.stars)
          .thenComparing(r -> r.pattern);

  private final TieredCache cache;
  private final MeterRegistry registry;

  /** Sorted most specific first; replaced as a whole on every change. */
  private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();

  private ReadThrough(TieredCache cache, MeterRegistry registry) {
    this.cache = cache;
    this.registry = registry;
  }

  /** Read-through over this cache, with its meters in this registry. For {@code Tierstate}. */
  public static ReadThrough create(TieredCache cache, MeterRegistry registry) {
    return new ReadThrough(
        Objects.requireNonNull(cache, "cache"), Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Registers the loader of every key matching {@code pattern}.
   *
   * @throws IllegalArgumentException if {@code pattern} is not a valid pattern (see {@link
   *     CacheKeys#requireValidPattern}), if a loader is already registered for it, or if {@code
   *     loader} is null
   */
  public void registerLoader(String pattern, KeyLoader<?> loader) {
    CacheKeys.requireValidPattern(pattern);
    if (loader == null) {
      throw new IllegalArgumentException("loader for pattern '" + pattern + "' must not be null");
    }
    Registration registration = new Registration(pattern, loader, registry);
    synchronized (registrations) {
      for (Registration existing : registrations) {
        if (existing.pattern.equals(pattern)) {
          throw new IllegalArgumentException(
              "a loader is already registered for pattern '" + pattern + "'; unregister it first");
        }
      }
      List<Registration> sorted = new ArrayList<>(registrations);
      sorted.add(registration);
      sorted.sort(MOST_SPECIFIC_FIRST);
      registrations.clear();
      registrations.addAll(sorted);
    }
  }

  /**
   * Removes the loader registered for exactly this pattern.
   *
   * @return whether one was registered
   */
  public boolean unregisterLoader(String pattern) {
    synchronized (registrations) {
      return registrations.removeIf(r -> r.pattern.equals(pattern));
    }
  }

  /** The registered patterns, most specific first. */
  public List<String> patterns() {
    return registrations.stream().map(r -> r.pattern).toList();
  }

  /**
   * The cached value of {@code key}, or the value loaded by the most specific matching loader and
   * cached with {@code options}.
   *
   * @return the value, or null when the loader found nothing
   * @throws IllegalArgumentException if the key is invalid or no registered pattern matches it
   * @throws ClassCastException if the loader returned a value that is not a {@code type}
   * @throws io.tierstate.cache.CacheLoadException if the loader failed and no stale value could be
   *     served
   */
  public <T> @Nullable T read(String key, Class<T> type, CacheOptions options) {
    Registration registration = loaderFor(key);
    CacheLoader<T> loader = () -> type.cast(registration.load(key));
    return cache.getOrLoad(key, type, loader, options);
  }

  /**
   * Like {@link #read(String, Class, CacheOptions)} for a generic type. The loader's value is not
   * checked against {@code type}: the loader must return a {@code T}.
   *
   * @throws IllegalArgumentException if the key is invalid or no registered pattern matches it
   * @throws io.tierstate.cache.CacheLoadException if the loader failed and no stale value could be
   *     served
   */
  @SuppressWarnings("unchecked")
  public <T> @Nullable T read(String key, TypeRef<T> type, CacheOptions options) {
    Registration registration = loaderFor(key);
    CacheLoader<T> loader = () -> (T) registration.load(key);
    return cache.getOrLoad(key, type, loader, options);
  }

  private Registration loaderFor(String key) {
    CacheKeys.requireValidKey(key);
    for (Registration registration : registrations) {
      if (registration.matches(key)) {
        return registration;
      }
    }
    throw new IllegalArgumentException(
        "no read-through loader matches key '" + key + "'; registered patterns: " + patterns());
  }

  private static final class Registration {
    final String pattern;
    final KeyLoader<?> loader;
    final int literalPrefix;
    final int literals;
    final int stars;
    final Counter loads;

    Registration(String pattern, KeyLoader<?> loader, MeterRegistry registry) {
      this.pattern = pattern;
      this.loader = loader;
      int firstWildcard = firstWildcard(pattern);
      this.literalPrefix = firstWildcard < 0 ? pattern.length() : firstWildcard;
      int starCount = 0;
      int literalCount = 0;
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        if (c == '*') {
          starCount++;
        } else if (c != '?') {
          literalCount++;
        }
      }
      this.stars = starCount;
      this.literals = literalCount;
      this.loads =
          Counter.builder(MeterNames.READ_THROUGH_LOADS).tag("pattern", pattern).register(registry);
    }

    private static int firstWildcard(String pattern) {
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        if (c == '*' || c == '?') {
          return i;
        }
      }
      return -1;
    }

    @Nullable Object load(String key) throws Exception {
      loads.increment();
      return loader.load(key);
    }

    boolean matches(String key) {
      return KeyPattern.matches(pattern, key);
    }
  }
}
