package io.tierstate.cache;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tierstate.redis.LuaScript;
import io.tierstate.redis.RedisExecutor;
import io.tierstate.redis.RedisUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * L2: the cache's Redis commands, key layout and scripts, behind the circuit breaker.
 *
 * <p>Key layout, for namespace {@code ts} and cache key {@code user:7}: the value lives at {@code
 * ts:{user:7}}, its fence at {@code ts:{user:7}:f} and its load lease at {@code ts:{user:7}:l}.
 * The braces are a Redis Cluster hash tag: the three share a slot, so one script can touch them
 * atomically on any deployment. Tag sets live at {@code ts:tag:NAME} with a version at {@code
 * ts:tagv:NAME}; the pattern epoch at {@code ts:epoch}; the invalidation log at {@code ts:log}.
 */
final class RedisTier {
  private static final LuaScript SET = LuaScript.load(RedisTier.class, "set.lua");
  private static final LuaScript DELETE = LuaScript.load(RedisTier.class, "delete.lua");
  private static final LuaScript ACQUIRE = LuaScript.load(RedisTier.class, "acquire.lua");
  private static final LuaScript FILL = LuaScript.load(RedisTier.class, "fill.lua");
  private static final LuaScript RELEASE = LuaScript.load(RedisTier.class, "release.lua");
  private static final LuaScript RENEW = LuaScript.load(RedisTier.class, "renew.lua");
  private static final LuaScript TAG = LuaScript.load(RedisTier.class, "tag.lua");
  private static final long TAG_VERSION_TTL_MS = Duration.ofDays(1).toMillis();
  private static final byte[] FORCE = bytes("1");
  private static final byte[] NO_FORCE = bytes("0");

  private final RedisExecutor redis;
  private final String prefix;
  private final String epochKey;
  private final long leaseMillis;
  private final byte[] fenceTtl;

  RedisTier(RedisExecutor redis, String namespace, Duration leaseTtl) {
    this.redis = redis;
    this.prefix = namespace + ":";
    this.epochKey = prefix + "epoch";
    this.leaseMillis = leaseTtl.toMillis();
    this.fenceTtl = bytes(Long.toString(leaseMillis * 2));
  }

  String valueKey(String key) {
    return prefix + "{" + key + "}";
  }

  private String fenceKey(String key) {
    return prefix + "{" + key + "}:f";
  }

  private String leaseKey(String key) {
    return prefix + "{" + key + "}:l";
  }

  private String tagKey(String tag) {
    return prefix + "tag:" + tag;
  }

  private String tagVersionKey(String tag) {
    return prefix + "tagv:" + tag;
  }

  /** The cache key stored at a value key, or null for another kind of key. */
  @Nullable String cacheKeyOf(String valueKey) {
    if (valueKey.startsWith(prefix + "{") && valueKey.endsWith("}")) {
      return valueKey.substring(prefix.length() + 1, valueKey.length() - 1);
    }
    return null;
  }

  String valuePattern(String pattern) {
    return prefix + "{" + pattern + "}";
  }

  /** Closes the breaker: another connection to the same server just succeeded. */
  void markReachable() {
    redis.markReachable();
  }

  /**
   * Runs Redis commands under the breaker and waits for the result.
   *
   * @throws RedisUnavailableException when the breaker is open or Redis fails or times out
   */
  <T> T call(String what, Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> commands) {
    return redis.call(what, commands);
  }

  // --- reads -------------------------------------------------------------------------------

  byte @Nullable [] get(String key) {
    return redis.get(valueKey(key));
  }

  List<KeyValue<String, byte[]>> mget(List<String> keys) {
    String[] valueKeys = new String[keys.size()];
    for (int i = 0; i < valueKeys.length; i++) {
      valueKeys[i] = valueKey(keys.get(i));
    }
    return redis.mget(valueKeys);
  }

  // --- writes ------------------------------------------------------------------------------

  /** One write in a batch: the script that writes it, and the tag registrations. */
  CompletionStage<?> setAsync(RedisClusterAsyncCommands<String, byte[]> redis, String key, byte[] envelope,
      long ttlMillis, String[] tags) {
    CompletionStage<Object> set = SET.run(redis, ScriptOutputType.INTEGER,
        new String[] {valueKey(key), fenceKey(key)}, envelope, bytes(Long.toString(ttlMillis)), fenceTtl);
    for (String tag : tags) {
      set = set.thenCombine(addTag(redis, tag, List.of(key), ttlMillis), (a, b) -> a);
    }
    return set;
  }

  private CompletionStage<Object> addTag(RedisClusterAsyncCommands<String, byte[]> redis, String tag,
      List<String> keys, long ttlMillis) {
    byte[][] args = new byte[keys.size() + 1][];
    args[0] = bytes(Long.toString(ttlMillis));
    for (int i = 0; i < keys.size(); i++) {
      args[i + 1] = bytes(keys.get(i));
    }
    return TAG.run(redis, ScriptOutputType.INTEGER, new String[] {tagKey(tag)}, args);
  }

  CompletionStage<Long> deleteAsync(RedisClusterAsyncCommands<String, byte[]> redis, String key) {
    return DELETE.run(redis, ScriptOutputType.INTEGER, new String[] {valueKey(key), fenceKey(key)}, fenceTtl);
  }

  // --- the load protocol ---------------------------------------------------------------------

  /** What {@code acquire.lua} answered; versions are "" where a version key does not exist. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Acquired(byte @Nullable [] value, byte[] fence, boolean granted, long leasePttlMillis,
      List<String> versions) {}

  /**
   * Reads the value and fence and tries to take the lease, together with the versions a fill must
   * find unchanged (the pattern epoch and the tags' versions), in one round trip.
   */
  Acquired acquire(String key, String token, boolean force, String[] tags) {
    List<String> versionKeys = versionKeys(tags);
    return call("acquire lease", redis -> {
      CompletionStage<List<Object>> acquired = ACQUIRE.run(redis, ScriptOutputType.MULTI,
          new String[] {valueKey(key), fenceKey(key), leaseKey(key)},
          bytes(token), bytes(Long.toString(leaseMillis)), force ? FORCE : NO_FORCE);
      CompletionStage<List<String>> versions = readVersions(redis, versionKeys);
      return acquired.thenCombine(versions, (reply, seen) -> {
        byte[] value = (byte[]) reply.get(0);
        return new Acquired(value.length == 0 ? null : value, (byte[]) reply.get(1),
            ((Long) reply.get(2)) == 1L, (Long) reply.get(3), seen);
      });
    });
  }

  private List<String> versionKeys(String[] tags) {
    List<String> keys = new ArrayList<>(tags.length + 1);
    keys.add(epochKey);
    for (String tag : tags) {
      keys.add(tagVersionKey(tag));
    }
    return keys;
  }

  private CompletionStage<List<String>> readVersions(RedisClusterAsyncCommands<String, byte[]> redis,
      List<String> versionKeys) {
    return redis.mget(versionKeys.toArray(String[]::new)).thenApply(values -> {
      List<String> out = new ArrayList<>(values.size());
      for (KeyValue<String, byte[]> kv : values) {
        out.add(kv.hasValue() ? new String(kv.getValue(), StandardCharsets.UTF_8) : "");
      }
      return out;
    });
  }

  /** Outcome of a fill. */
  enum FillResult { WRITTEN, FENCED, LEASE_LOST, RACED_INVALIDATION }

  /**
   * Writes a loaded value if the lease is still held and nothing was written or invalidated since
   * it was taken. Tag registration follows the write, then the versions are read again: a tag or
   * pattern invalidation that ran concurrently either saw this key in its tag set or scan, or
   * moved a version that this check sees, in which case the fill deletes what it wrote.
   */
  FillResult fill(String key, String token, Acquired acquired, byte[] envelope, long ttlMillis, String[] tags) {
    long written = call("fill", redis -> {
      CompletionStage<Long> fill = FILL.run(redis, ScriptOutputType.INTEGER,
          new String[] {valueKey(key), fenceKey(key), leaseKey(key)},
          bytes(token), acquired.fence(), envelope, bytes(Long.toString(ttlMillis)));
      return fill.thenCompose(result -> {
        if (result != 1L || tags.length == 0) {
          return fill;
        }
        CompletionStage<Long> all = fill;
        for (String tag : tags) {
          all = all.thenCombine(addTag(redis, tag, List.of(key), ttlMillis), (a, b) -> a);
        }
        return all;
      });
    });
    if (written == -1L) {
      return FillResult.LEASE_LOST;
    }
    if (written == 0L) {
      return FillResult.FENCED;
    }
    List<String> versionKeys = versionKeys(tags);
    List<String> now = call("re-read versions", redis -> readVersions(redis, versionKeys));
    if (!now.equals(acquired.versions())) {
      call("undo raced fill", redis -> deleteAsync(redis, key));
      return FillResult.RACED_INVALIDATION;
    }
    return FillResult.WRITTEN;
  }

  void release(String key, String token) {
    call("release lease", redis -> RELEASE.<Long>run(redis, ScriptOutputType.INTEGER,
        new String[] {leaseKey(key)}, bytes(token)));
  }

  boolean renew(String key, String token) {
    Long renewed = call("renew lease", redis -> RENEW.<Long>run(redis,
        ScriptOutputType.INTEGER, new String[] {leaseKey(key), fenceKey(key)}, bytes(token),
        bytes(Long.toString(leaseMillis))));
    return renewed == 1L;
  }

  // --- invalidation --------------------------------------------------------------------------

  /** Moves the tags' versions, so fills under way notice, then deletes and returns their members. */
  List<String> invalidateTags(String[] tags) {
    return call("invalidate tags", redis -> {
      List<CompletionStage<?>> bumps = new ArrayList<>();
      for (String tag : tags) {
        bumps.add(redis.incr(tagVersionKey(tag)));
        bumps.add(redis.pexpire(tagVersionKey(tag), TAG_VERSION_TTL_MS));
      }
      List<CompletionStage<List<String>>> members = new ArrayList<>();
      for (String tag : tags) {
        members.add(redis.smembers(tagKey(tag)).thenApply(set -> set.stream()
            .map(member -> new String(member, StandardCharsets.UTF_8)).toList()));
      }
      CompletionStage<List<String>> all = bumps.get(bumps.size() - 1).thenApply(ignored -> new ArrayList<>());
      for (CompletionStage<List<String>> m : members) {
        all = all.thenCombine(m, (acc, keys) -> {
          acc.addAll(keys);
          return acc;
        });
      }
      return all;
    });
  }

  /** Removes keys from a tag's set, once they were invalidated. */
  void removeFromTag(String tag, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    byte[][] members = keys.stream().map(RedisTier::bytes).toArray(byte[][]::new);
    call("SREM", redis -> redis.srem(tagKey(tag), members));
  }

  /** Moves the pattern epoch, so that fills under way notice a pattern invalidation. */
  void bumpEpoch() {
    call("bump epoch", redis -> redis.incr(epochKey));
  }

  /** Deletes keys and moves their fences, pipelined; returns how many values existed. */
  long deleteAll(List<String> keys) {
    if (keys.isEmpty()) {
      return 0;
    }
    return call("delete", redis -> {
      CompletionStage<Long> total = java.util.concurrent.CompletableFuture.completedFuture(0L);
      for (String key : keys) {
        total = total.thenCombine(deleteAsync(redis, key), Long::sum);
      }
      return total;
    });
  }

  /** One page of a SCAN over value keys matching a glob pattern. */
  KeyScanCursor<String> scan(ScanCursor cursor, String pattern) {
    ScanArgs args = ScanArgs.Builder.matches(valuePattern(pattern)).limit(1000);
    return call("SCAN", redis -> redis.scan(cursor, args));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
