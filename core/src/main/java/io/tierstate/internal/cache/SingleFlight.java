package io.tierstate.internal.cache;

import io.tierstate.cache.CacheLoadException;
import io.tierstate.codec.TypeRef;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One load per key and type on this node: a caller that finds a load of the same key and type under
 * way waits for its result (or its exception) instead of loading again. The type is part of the
 * flight, since the same key read as two types decodes to two values. Thread-safe.
 */
final class SingleFlight {
  private final ConcurrentMap<Flight, CompletableFuture<@Nullable Object>> inflight =
      new ConcurrentHashMap<>();

  /** One local load: the key, and the type it is decoded to. */
  private record Flight(String key, TypeRef<?> type) {}

  /** Runs {@code load}, or joins the run of it already under way for this key and type. */
  @SuppressWarnings("unchecked")
  <T> @Nullable T run(String key, TypeRef<T> type, Supplier<? extends @Nullable T> load) {
    Flight flight = new Flight(key, type);
    CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
    CompletableFuture<@Nullable Object> leader = inflight.putIfAbsent(flight, mine);
    if (leader != null) {
      return (T) join(leader);
    }
    try {
      T value = load.get();
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(flight, mine);
    }
  }

  private static @Nullable Object join(CompletableFuture<@Nullable Object> leader) {
    try {
      return leader.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } catch (CancellationException e) {
      throw new CacheLoadException("the load this call waited for was cancelled", e);
    }
  }
}
