package io.tierstate.patterns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.keys.CacheKeys;
import io.tierstate.metrics.MeterNames;
import java.util.Objects;

/**
 * Write-through caching: the source of truth is written first, and the cache only once that
 * succeeded. Obtain it from {@code Tierstate.writeThrough()}.
 *
 * <pre>{@code
 * ts.writeThrough().write("user:1", user, db::update, CacheOptions.ttl(Duration.ofMinutes(5)));
 * ts.writeThrough().delete("user:1", key -> db.deleteUser(1));
 * }</pre>
 *
 * <p>When the source fails, the cache is untouched on every tier and node, and the failure reaches
 * the caller: runtime exceptions as they are, checked ones wrapped in a {@link
 * WriteThroughException}. When the source succeeds, the value is cached with {@link
 * TieredCache#set}, which also drops other nodes' L1 copies. If that cache write then fails, the
 * key is deleted from the cache (best effort) so no node keeps serving the old value, and a {@link
 * WriteThroughException} is thrown.
 *
 * <p>Write-through does not order concurrent writers of one key: serialize them in the source of
 * truth (or with {@code Tierstate.locks()}) if the last cache write must match the last source
 * write.
 *
 * <p>Thread-safe.
 */
public final class WriteThrough {
  private final TieredCache cache;
  private final Counter writeSuccesses;
  private final Counter writeFailures;
  private final Counter deleteSuccesses;
  private final Counter deleteFailures;

  private WriteThrough(TieredCache cache, MeterRegistry registry) {
    this.cache = cache;
    this.writeSuccesses = counter(registry, "write", "success");
    this.writeFailures = counter(registry, "write", "failure");
    this.deleteSuccesses = counter(registry, "delete", "success");
    this.deleteFailures = counter(registry, "delete", "failure");
  }

  private static Counter counter(MeterRegistry registry, String operation, String result) {
    return Counter.builder(MeterNames.WRITE_THROUGH_OPERATIONS)
        .tag("operation", operation)
        .tag("result", result)
        .register(registry);
  }

  /** Write-through over this cache, with its meters in this registry. For {@code Tierstate}. */
  public static WriteThrough create(TieredCache cache, MeterRegistry registry) {
    return new WriteThrough(
        Objects.requireNonNull(cache, "cache"), Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Writes {@code value} to the source of truth with {@code writer}, then caches it under {@code
   * key} with {@code options}.
   *
   * @throws IllegalArgumentException if the key is invalid, or {@code value}, {@code writer} or
   *     {@code options} is null; nothing is written then
   * @throws WriteThroughException if the writer threw a checked exception (the cache is untouched),
   *     or the cache could not be updated after the source was
   * @throws RuntimeException what the writer threw (the cache is untouched)
   */
  public <T> void write(String key, T value, SourceWriter<? super T> writer, CacheOptions options) {
    CacheKeys.requireValidKey(key);
    requireArgument(value, "value", key);
    requireArgument(writer, "writer", key);
    requireArgument(options, "options", key);
    try {
      writer.write(value);
    } catch (RuntimeException e) {
      writeFailures.increment();
      throw e;
    } catch (Exception e) {
      writeFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new WriteThroughException(
          "write-through of key '"
              + key
              + "' failed in the source writer; the cache was not changed: "
              + e,
          e);
    }
    try {
      cache.set(key, value, options);
    } catch (RuntimeException e) {
      writeFailures.increment();
      throw cacheFailed("write-through of key '" + key + "'", key, e);
    }
    writeSuccesses.increment();
  }

  /**
   * Deletes the record behind {@code key} from the source of truth with {@code deleter}, then
   * removes the key from every tier on every node.
   *
   * @throws IllegalArgumentException if the key is invalid or {@code deleter} is null
   * @throws WriteThroughException if the deleter threw a checked exception (the cache is
   *     untouched), or the cache could not be updated after the source was
   * @throws RuntimeException what the deleter threw (the cache is untouched)
   */
  public void delete(String key, SourceDeleter deleter) {
    CacheKeys.requireValidKey(key);
    requireArgument(deleter, "deleter", key);
    try {
      deleter.delete(key);
    } catch (RuntimeException e) {
      deleteFailures.increment();
      throw e;
    } catch (Exception e) {
      deleteFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new WriteThroughException(
          "write-through delete of key '"
              + key
              + "' failed in the source deleter; the cache was not changed: "
              + e,
          e);
    }
    try {
      cache.delete(key);
    } catch (RuntimeException e) {
      deleteFailures.increment();
      throw new WriteThroughException(
          "write-through delete of key '"
              + key
              + "' updated the source but could not delete the key from the cache: "
              + e,
          e);
    }
    deleteSuccesses.increment();
  }

  private WriteThroughException cacheFailed(String what, String key, RuntimeException cause) {
    try {
      cache.delete(key);
    } catch (RuntimeException deleteFailure) {
      cause.addSuppressed(deleteFailure);
    }
    return new WriteThroughException(
        what
            + " updated the source but could not update the cache; the key was deleted from the cache: "
            + cause,
        cause);
  }

  private static void requireArgument(
      @org.jspecify.annotations.Nullable Object value, String name, String key) {
    if (value == null) {
      throw new IllegalArgumentException(
          name + " for write-through of key '" + key + "' must not be null");
    }
  }
}
