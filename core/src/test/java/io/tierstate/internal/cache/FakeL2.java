package io.tierstate.internal.cache;

import io.tierstate.RedisUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory {@link L2} with the lease and fence rules of the Lua scripts, for unit tests: no
 * TTLs, and a lease that lasts until it is filled or released. Each logged entry is passed to
 * {@link #onLog} (as the invalidation log would deliver it back to the node), and {@link
 * #unavailable} makes every call fail as if Redis were unreachable.
 */
final class FakeL2 implements L2 {
  private final Map<String, byte[]> values = new HashMap<>();
  private final Map<String, Long> fences = new HashMap<>();
  private final Map<String, String> leases = new HashMap<>();
  final List<String> log = new ArrayList<>();
  volatile Consumer<String> onLog = key -> {};
  volatile boolean unavailable;
  volatile boolean unavailableOnAcquire;

  /** Fills run, but their answer is lost (a timeout on a server that ran the command later). */
  volatile boolean fillAnswerLost;

  volatile long leasePttlMillis = 1_000;

  private void check(String what) {
    if (unavailable) {
      throw new RedisUnavailableException("fake Redis is down; skipped " + what);
    }
  }

  private void logged(String kind, String key) {
    synchronized (this) {
      log.add(kind + ":" + key);
    }
    onLog.accept(key);
  }

  /** The log entries appended so far ("kind:key"), a copy safe to read from any thread. */
  synchronized List<String> logged() {
    return List.copyOf(log);
  }

  /** Another node's lease on {@code key}. */
  synchronized void holdLease(String key, String token) {
    leases.put(key, token);
  }

  /** Another node's write of {@code key}: the value, and a moved fence. */
  synchronized void write(String key, byte[] bytes) {
    values.put(key, bytes);
    fences.merge(key, 1L, Long::sum);
  }

  synchronized byte @Nullable [] value(String key) {
    return values.get(key);
  }

  synchronized @Nullable String lease(String key) {
    return leases.get(key);
  }

  @Override
  public synchronized byte @Nullable [] get(String key) {
    check("GET");
    return values.get(key);
  }

  @Override
  public synchronized Stored inspect(String key, List<String> tags) {
    check("inspect");
    byte[] value = values.get(key);
    // Keeps no tag sets: no tag lists the key.
    return new Stored(value, value == null ? -2 : -1, fences.getOrDefault(key, 0L), null);
  }

  @Override
  public synchronized List<byte @Nullable []> getAll(List<String> keys) {
    check("MGET");
    List<byte @Nullable []> out = new ArrayList<>();
    for (String key : keys) {
      out.add(values.get(key));
    }
    return out;
  }

  @Override
  public void setAndLog(List<Write> writes, String[] tags) {
    check("set");
    for (Write write : writes) {
      write(write.key(), write.bytes());
      logged("k", write.key());
    }
  }

  @Override
  public void deleteAndLog(List<String> keys) {
    check("delete");
    for (String key : keys) {
      synchronized (this) {
        values.remove(key);
        fences.merge(key, 1L, Long::sum);
      }
      logged("k", key);
    }
  }

  @Override
  public long deleteTaggedAndLog(String[] tags, List<String> alsoKeys, List<String> invalidated) {
    check("invalidate tags");
    return 0;
  }

  @Override
  public long deleteMatchingAndLog(String pattern) {
    check("invalidate pattern");
    return 0;
  }

  @Override
  public synchronized List<String> keysMatching(String pattern) {
    check("scan keys");
    // Glob to regex for the two wildcards the cache's patterns use.
    String regex =
        java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
    return values.keySet().stream().filter(key -> key.matches(regex)).sorted().toList();
  }

  @Override
  public synchronized Acquired acquire(String key, String token, boolean force, String[] tags) {
    check("acquire lease");
    if (unavailableOnAcquire) {
      throw new RedisUnavailableException("fake Redis is down; skipped acquire lease");
    }
    byte[] value = values.get(key);
    byte[] fence = Long.toString(fences.getOrDefault(key, 0L)).getBytes(StandardCharsets.UTF_8);
    if (value != null && !force) {
      return new Acquired(value, fence, false, 0, List.of());
    }
    if (!leases.containsKey(key)) {
      leases.put(key, token);
      return new Acquired(value, fence, true, 0, List.of());
    }
    return new Acquired(value, fence, false, leasePttlMillis, List.of());
  }

  @Override
  public FillResult fillAndLog(
      String key, String token, Acquired acquired, byte[] bytes, long ttlMillis, String[] tags) {
    check("fill");
    FillResult result;
    synchronized (this) {
      if (!token.equals(leases.get(key))) {
        result = FillResult.LEASE_LOST;
      } else {
        leases.remove(key);
        String fence = new String(acquired.fence(), StandardCharsets.UTF_8);
        if (!fence.equals(Long.toString(fences.getOrDefault(key, 0L)))) {
          result = FillResult.FENCED;
        } else {
          values.put(key, bytes);
          result = FillResult.WRITTEN;
        }
      }
    }
    logged("f", key);
    if (fillAnswerLost) {
      throw new RedisUnavailableException("fake Redis did not answer the fill in time");
    }
    return result;
  }

  @Override
  public synchronized boolean renew(String key, String token) {
    check("renew lease");
    return token.equals(leases.get(key));
  }

  @Override
  public void releaseAndLog(String key, String token) {
    check("release lease");
    synchronized (this) {
      leases.remove(key, token);
    }
    logged("r", key);
  }

  @Override
  public void markReachable() {}
}
