package io.tierstate.internal.cache;

import io.tierstate.RedisUnavailableException;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.TypeRef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads in the background, for stale-while-revalidate and refresh-ahead: at most one refresh per
 * key on this node, and one across nodes (a refresh that does not get the lease leaves the key to
 * the node that has it). Thread-safe.
 */
final class BackgroundRefresher {
  private static final Logger log = LoggerFactory.getLogger(BackgroundRefresher.class);

  private final L1 l1;
  private final L2 l2;
  private final LoadRunner runner;
  private final ExecutorService refresher;
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

  BackgroundRefresher(L1 l1, L2 l2, LoadRunner runner, ExecutorService refresher) {
    this.l1 = l1;
    this.l2 = l2;
    this.runner = runner;
    this.refresher = refresher;
  }

  /** Reloads {@code key} on a background thread, unless this node is already reloading it. */
  <T> void refresh(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    if (!refreshing.add(key)) {
      return;
    }
    try {
      refresher.execute(
          () -> {
            try {
              reload(key, type, loader, options);
            } catch (RuntimeException e) {
              log.warn("Background refresh of '{}' failed: {}", key, e.toString());
            } finally {
              refreshing.remove(key);
            }
          });
    } catch (RuntimeException rejected) {
      refreshing.remove(key); // shutting down
    }
  }

  private <T> void reload(
      String key, TypeRef<T> type, CacheLoader<? extends T> loader, CacheOptions options) {
    L1.Stamp stamp = l1.stamp(key);
    String token = runner.newToken();
    L2.Acquired acquired;
    try {
      acquired = l2.acquire(key, token, true, options.tagArray());
    } catch (RedisUnavailableException e) {
      runner.loadLocally(key, type, loader, options, stamp, StaleFallbacks.NONE);
      return;
    }
    if (!acquired.granted()) {
      return; // another node is refreshing it
    }
    runner.loadAndFill(key, type, loader, options, stamp, token, acquired, StaleFallbacks.NONE);
  }
}
