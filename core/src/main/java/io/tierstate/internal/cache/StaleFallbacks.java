package io.tierstate.internal.cache;

import io.tierstate.cache.CacheLoadException;
import io.tierstate.codec.TypeRef;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stale-if-error: what answers when a loader fails. The expired L1 entry the miss found, else the
 * stale L2 value the load read, each only inside its own stale-if-error window and only if it
 * decodes to the type asked for; else the failure. Thread-safe.
 */
final class StaleFallbacks {
  private static final Logger log = LoggerFactory.getLogger(StaleFallbacks.class);

  /** Everything that can still answer if the loader fails. */
  record Fallback(@Nullable L1Entry l1, @Nullable Envelope l2) {}

  /** For loads that have nothing to fall back on (background refreshes). */
  static final Fallback NONE = new Fallback(null, null);

  private final EntryCodec entries;
  private final CacheMeters meters;

  StaleFallbacks(EntryCodec entries, CacheMeters meters) {
    this.entries = entries;
    this.meters = meters;
  }

  /** The stale value that answers instead of {@code failure}; else throws {@code failure}. */
  @SuppressWarnings("unchecked")
  <T> @Nullable T serveOnError(
      String key, TypeRef<T> type, Fallback fallback, CacheLoadException failure) {
    L1Entry stale = fallback.l1();
    if (stale != null && stale.isServableOnError(System.nanoTime()) && stale.accepts(type)) {
      meters.staleOnError.increment();
      log.warn("Serving stale '{}' from L1: {}", key, failure.getMessage());
      return (T) stale.value;
    }
    Envelope staleL2 = fallback.l2();
    if (staleL2 != null && staleL2.isServableOnError(System.currentTimeMillis())) {
      EntryCodec.Decoded<T> decoded = entries.decodeValue(key, staleL2, type, null);
      if (decoded != null) {
        meters.staleOnError.increment();
        log.warn("Serving stale '{}' from L2: {}", key, failure.getMessage());
        return decoded.value();
      }
    }
    throw failure;
  }
}
