package io.tierstate.internal.cache;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tierstate.RedisUnavailableException;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.RedisExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * L2: the cache's Redis commands, key layout and scripts, behind the circuit breaker.
 *
 * <p>Key layout, for namespace {@code ts} and cache key {@code user:7}: the value lives at {@code
 * ts:{user:7}}, its fence at {@code ts:{user:7}:f} and its load lease at {@code ts:{user:7}:l}. The
 * braces are a Redis Cluster hash tag: the three share a slot, so one script can touch them
 * atomically on any deployment. Tag sets live at {@code ts:tag:NAME} with a version at {@code
 * ts:tagv:NAME}; the pattern epoch at {@code ts:epoch}; the invalidation log at {@code ts:log}.
 *
 * <p>It owns Lettuce for the cache: the scripts, the pipelines, the SCAN loop and the log entries
 * appended after each write ({@link #ordered}). Thread-safe.
 */
final class RedisTier implements L2 {
  private static final LuaScript SET = LuaScript.load(RedisTier.class, "set.lua");
  private static final LuaScript DELETE = LuaScript.load(RedisTier.class, "delete.lua");
  private static final LuaScript ACQUIRE = LuaScript.load(RedisTier.class, "acquire.lua");
  private static final LuaScript FILL = LuaScript.load(RedisTier.class, "fill.lua");
  private static final LuaScript RELEASE = LuaScript.load(RedisTier.class, "release.lua");
  private static final LuaScript RENEW = LuaScript.load(RedisTier.class, "renew.lua");
  private static final LuaScript TAG = LuaScript.load(RedisTier.class, "tag.lua");
  private static final long TAG_VERSION_TTL_MS = Duration.ofDays(1).toMillis();

  /**
   * Keys asked of each SCAN and SSCAN call: a page's work (its deletes) stays well within the
   * command timeout, and Redis answers other clients between pages.
   */
  private static final int SCAN_PAGE = 1_000;

  private static final byte[] FORCE = bytes("1");
  private static final byte[] NO_FORCE = bytes("0");
  private static final String[] NO_TAGS = new String[0];

  /**
   * At most this many keys in one log entry, so that one entry stays a small read for every node.
   */
  private static final int KEYS_PER_ENTRY = 1_000;

  private final RedisExecutor redis;
  private final String prefix;
  private final String epochKey;
  private final long leaseMillis;
  private final byte[] fenceTtl;
  private final String logKey;
  private final String nodeId;
  private final long logMaxLength;
  private final boolean orderedPipeline;
  private final CacheMeters meters;

  /**
   * @param orderedPipeline whether a log entry may be pipelined behind the writes it describes (one
   *     connection to one server: not on a Cluster, where they may reach different shards)
   */
  RedisTier(
      RedisExecutor redis,
      String namespace,
      Duration leaseTtl,
      String nodeId,
      long logMaxLength,
      boolean orderedPipeline,
      CacheMeters meters) {
    this.redis = redis;
    this.prefix = namespace + ":";
    this.epochKey = prefix + "epoch";
    this.leaseMillis = leaseTtl.toMillis();
    this.fenceTtl = bytes(Long.toString(leaseMillis * 2));
    this.logKey = InvalidationLog.streamKey(namespace);
    this.nodeId = nodeId;
    this.logMaxLength = logMaxLength;
    this.orderedPipeline = orderedPipeline;
    this.meters = meters;
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

  @Override
  public void markReachable() {
    redis.markReachable();
  }

  /**
   * Runs Redis commands under the breaker and waits for the result.
   *
   * @throws RedisUnavailableException when the breaker is open or Redis fails or times out
   */
  private <T> T call(
      String what,
      Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> commands) {
    return redis.call(what, commands);
  }

  // --- reads -------------------------------------------------------------------------------

  @Override
  public byte @Nullable [] get(String key) {
    return redis.get(valueKey(key));
  }

  @Override
  public List<byte @Nullable []> getAll(List<String> keys) {
    String[] valueKeys = new String[keys.size()];
    for (int i = 0; i < valueKeys.length; i++) {
      valueKeys[i] = valueKey(keys.get(i));
    }
    List<KeyValue<String, byte[]>> read = redis.mget(valueKeys);
    List<byte @Nullable []> values = new ArrayList<>(read.size());
    for (KeyValue<String, byte[]> kv : read) {
      values.add(kv.hasValue() ? kv.getValue() : null);
    }
    return values;
  }

  @Override
  public Stored inspect(String key, List<String> tags) {
    String valueKey = valueKey(key);
    String fenceKey = fenceKey(key); // same hash slot as the value: one shard on a Cluster
    byte[] member = bytes(key);
    return call(
        "inspect",
        redis -> {
          CompletableFuture<byte[]> value = redis.get(valueKey).toCompletableFuture();
          CompletableFuture<Long> pttl = redis.pttl(valueKey).toCompletableFuture();
          CompletableFuture<byte[]> fence = redis.get(fenceKey).toCompletableFuture();
          // Pipelined with the reads above: still one round trip (tag sets may sit on other
          // shards).
          List<CompletableFuture<Boolean>> listed = new ArrayList<>(tags.size());
          for (String tag : tags) {
            listed.add(redis.sismember(tagKey(tag), member).toCompletableFuture());
          }
          List<CompletableFuture<?>> all = new ArrayList<>(listed);
          all.add(value);
          all.add(pttl);
          all.add(fence);
          return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
              .thenApply(
                  done -> {
                    byte[] fenceBytes = fence.join();
                    long fenceValue = 0;
                    if (fenceBytes != null) {
                      try {
                        fenceValue = Long.parseLong(new String(fenceBytes, StandardCharsets.UTF_8));
                      } catch (NumberFormatException e) {
                        fenceValue = -1; // not written by Tierstate
                      }
                    }
                    @Nullable String tag = null;
                    for (int i = 0; i < listed.size() && tag == null; i++) {
                      if (Boolean.TRUE.equals(listed.get(i).join())) {
                        tag = tags.get(i);
                      }
                    }
                    return new Stored(value.join(), pttl.join(), fenceValue, tag);
                  });
        });
  }

  // --- writes ------------------------------------------------------------------------------

  @Override
  public void setAndLog(List<Write> writes, String[] tags) {
    List<String> keys = new ArrayList<>(writes.size());
    for (Write write : writes) {
      keys.add(write.key());
    }
    call(
        writes.size() == 1 ? "set" : "setAll",
        redis -> {
          List<CompletionStage<?>> sets = new ArrayList<>(writes.size());
          AtomicBoolean sentWhole = new AtomicBoolean();
          for (Write write : writes) {
            sets.add(
                setAsync(redis, write.key(), write.bytes(), write.ttlMillis(), tags, sentWhole));
          }
          return ordered(allOf(sets), sentWhole, () -> appendKeys(redis, keys, NO_TAGS));
        });
  }

  @Override
  public void deleteAndLog(List<String> keys) {
    call(
        "delete",
        redis -> {
          List<CompletionStage<?>> deletes = new ArrayList<>(keys.size());
          AtomicBoolean sentWhole = new AtomicBoolean();
          for (String key : keys) {
            deletes.add(deleteAsync(redis, key, sentWhole));
          }
          return ordered(allOf(deletes), sentWhole, () -> appendKeys(redis, keys, NO_TAGS));
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>A tag's members are read, removed from its set, deleted and logged one SSCAN page at a time:
   * each page is its own round trips, within the command timeout however large the tag, and Redis
   * never builds one huge reply or runs one huge command that would stall its other clients.
   */
  @Override
  public long deleteTaggedAndLog(String[] tags, List<String> alsoKeys, List<String> invalidated) {
    // The versions move first: a fill under way that the scan below misses will see them moved.
    bumpTagVersions(tags);
    long deleted = deleteAll(alsoKeys);
    // The keys are logged with the tag's first page, so that a small change is one log entry.
    List<String> unlogged = alsoKeys;
    boolean loggedAny = false;
    for (String tag : tags) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        ValueScanCursor<byte[]> page = sscan(tag, cursor);
        List<String> keys = new ArrayList<>(page.getValues().size());
        for (byte[] member : page.getValues()) {
          keys.add(new String(member, StandardCharsets.UTF_8));
        }
        if (!keys.isEmpty()) {
          // Out of the set first, then deleted: a fill that registers the key after the removal
          // is deleted with it or stays registered. The other order dropped the registration of a
          // fill that wrote and registered between the delete and the removal (defect 8).
          removeFromTag(tag, keys);
          deleted += deleteAll(keys);
          List<String> logged = unlogged.isEmpty() ? keys : union(unlogged, keys);
          log(logged, tags);
          invalidated.addAll(logged);
          unlogged = List.of();
          loggedAny = true;
        }
        cursor = page;
      } while (!cursor.isFinished());
    }
    if (!loggedAny) {
      // With no member at all, the entry has no keys: peers still drop what their L1 holds under
      // these tags.
      log(unlogged, tags);
      invalidated.addAll(unlogged);
    }
    return deleted;
  }

  private void log(List<String> keys, String[] tags) {
    call("log tag invalidation", redis -> appendKeys(redis, keys, tags));
  }

  private static List<String> union(List<String> first, List<String> second) {
    LinkedHashSet<String> both = new LinkedHashSet<>(first);
    both.addAll(second);
    return new ArrayList<>(both);
  }

  @Override
  public long deleteMatchingAndLog(String pattern) {
    // The epoch moves first: a fill under way that the scan below misses will see it moved.
    bumpEpoch();
    long[] deleted = {0};
    forEachMatchingPage(pattern, keys -> deleted[0] += deleteAll(keys));
    call("log pattern invalidation", redis -> append(redis, LogEntry.pattern(nodeId, pattern)));
    return deleted[0];
  }

  @Override
  public List<String> keysMatching(String pattern) {
    List<String> matching = new ArrayList<>();
    forEachMatchingPage(pattern, matching::addAll);
    return matching;
  }

  /** Hands the cache keys of each SCAN page matching the pattern to {@code page}, page by page. */
  private void forEachMatchingPage(String pattern, Consumer<List<String>> pageConsumer) {
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = scan(cursor, pattern);
      List<String> keys = new ArrayList<>();
      for (String valueKey : page.getKeys()) {
        String key = cacheKeyOf(valueKey);
        if (key != null) {
          keys.add(key);
        }
      }
      pageConsumer.accept(keys);
      cursor = page;
    } while (!cursor.isFinished());
  }

  /** One write in a batch: the script that writes it, and the tag registrations. */
  private CompletionStage<?> setAsync(
      RedisClusterAsyncCommands<String, byte[]> redis,
      String key,
      byte[] envelope,
      long ttlMillis,
      String[] tags,
      @Nullable AtomicBoolean sentWhole) {
    CompletionStage<Object> set =
        SET.run(
            redis,
            ScriptOutputType.INTEGER,
            new String[] {valueKey(key), fenceKey(key)},
            sentWhole,
            envelope,
            bytes(Long.toString(ttlMillis)),
            fenceTtl);
    for (String tag : tags) {
      set = set.thenCombine(addTag(redis, tag, List.of(key), ttlMillis), (a, b) -> a);
    }
    return set;
  }

  private CompletionStage<Object> addTag(
      RedisClusterAsyncCommands<String, byte[]> redis,
      String tag,
      List<String> keys,
      long ttlMillis) {
    byte[][] args = new byte[keys.size() + 1][];
    args[0] = bytes(Long.toString(ttlMillis));
    for (int i = 0; i < keys.size(); i++) {
      args[i + 1] = bytes(keys.get(i));
    }
    return TAG.run(redis, ScriptOutputType.INTEGER, new String[] {tagKey(tag)}, args);
  }

  private CompletionStage<Long> deleteAsync(
      RedisClusterAsyncCommands<String, byte[]> redis,
      String key,
      @Nullable AtomicBoolean sentWhole) {
    return DELETE.run(
        redis,
        ScriptOutputType.INTEGER,
        new String[] {valueKey(key), fenceKey(key)},
        sentWhole,
        fenceTtl);
  }

  // --- the load protocol ---------------------------------------------------------------------

  /**
   * Reads the value and fence and tries to take the lease, together with the versions a fill must
   * find unchanged (the pattern epoch and the tags' versions), in one round trip.
   */
  @Override
  public Acquired acquire(String key, String token, boolean force, String[] tags) {
    List<String> versionKeys = versionKeys(tags);
    return call(
        "acquire lease",
        redis -> {
          CompletionStage<List<Object>> acquired =
              ACQUIRE.run(
                  redis,
                  ScriptOutputType.MULTI,
                  new String[] {valueKey(key), fenceKey(key), leaseKey(key)},
                  bytes(token),
                  bytes(Long.toString(leaseMillis)),
                  force ? FORCE : NO_FORCE);
          CompletionStage<List<String>> versions = readVersions(redis, versionKeys);
          return acquired.thenCombine(
              versions,
              (reply, seen) -> {
                byte[] value = (byte[]) reply.get(0);
                return new Acquired(
                    value.length == 0 ? null : value,
                    (byte[]) reply.get(1),
                    ((Long) reply.get(2)) == 1L,
                    (Long) reply.get(3),
                    seen);
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

  private CompletionStage<List<String>> readVersions(
      RedisClusterAsyncCommands<String, byte[]> redis, List<String> versionKeys) {
    return redis
        .mget(versionKeys.toArray(String[]::new))
        .thenApply(
            values -> {
              List<String> out = new ArrayList<>(values.size());
              for (KeyValue<String, byte[]> kv : values) {
                out.add(kv.hasValue() ? new String(kv.getValue(), StandardCharsets.UTF_8) : "");
              }
              return out;
            });
  }

  @Override
  public FillResult fillAndLog(
      String key, String token, Acquired acquired, byte[] envelope, long ttlMillis, String[] tags) {
    FillResult result = fill(key, token, acquired, envelope, ttlMillis, tags);
    call("log fill", redis -> append(redis, LogEntry.fill(nodeId, key)));
    return result;
  }

  /**
   * Writes a loaded value if the lease is still held and nothing was written or invalidated since
   * it was taken. Tag registration follows the write, then the versions are read again: a tag or
   * pattern invalidation that ran concurrently either saw this key in its tag set or scan, or moved
   * a version that this check sees, in which case the fill deletes what it wrote.
   */
  private FillResult fill(
      String key, String token, Acquired acquired, byte[] envelope, long ttlMillis, String[] tags) {
    long written =
        call(
            "fill",
            redis -> {
              CompletionStage<Long> fill =
                  FILL.run(
                      redis,
                      ScriptOutputType.INTEGER,
                      new String[] {valueKey(key), fenceKey(key), leaseKey(key)},
                      bytes(token),
                      acquired.fence(),
                      envelope,
                      bytes(Long.toString(ttlMillis)));
              return fill.thenCompose(
                  result -> {
                    if (result != 1L || tags.length == 0) {
                      return fill;
                    }
                    CompletionStage<Long> all = fill;
                    for (String tag : tags) {
                      all =
                          all.thenCombine(addTag(redis, tag, List.of(key), ttlMillis), (a, b) -> a);
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
      call("undo raced fill", redis -> deleteAsync(redis, key, null));
      return FillResult.RACED_INVALIDATION;
    }
    return FillResult.WRITTEN;
  }

  @Override
  public void releaseAndLog(String key, String token) {
    call(
        "release lease",
        redis ->
            RELEASE.<Long>run(
                redis, ScriptOutputType.INTEGER, new String[] {leaseKey(key)}, bytes(token)));
    call("log release", redis -> append(redis, LogEntry.release(nodeId, key)));
  }

  @Override
  public boolean renew(String key, String token) {
    Long renewed =
        call(
            "renew lease",
            redis ->
                RENEW.<Long>run(
                    redis,
                    ScriptOutputType.INTEGER,
                    new String[] {leaseKey(key), fenceKey(key)},
                    bytes(token),
                    bytes(Long.toString(leaseMillis))));
    return renewed == 1L;
  }

  // --- invalidation --------------------------------------------------------------------------

  /** Moves the tags' versions, so that fills under way notice an invalidation of their tags. */
  private void bumpTagVersions(String[] tags) {
    call(
        "bump tag versions",
        redis -> {
          List<CompletionStage<?>> bumps = new ArrayList<>();
          for (String tag : tags) {
            bumps.add(redis.incr(tagVersionKey(tag)));
            bumps.add(redis.pexpire(tagVersionKey(tag), TAG_VERSION_TTL_MS));
          }
          return allOf(bumps);
        });
  }

  /** One page of a tag's members. */
  private ValueScanCursor<byte[]> sscan(String tag, ScanCursor cursor) {
    ScanArgs args = ScanArgs.Builder.limit(SCAN_PAGE);
    return call("SSCAN", redis -> redis.sscan(tagKey(tag), cursor, args));
  }

  /** Removes keys from a tag's set, once they were invalidated. */
  private void removeFromTag(String tag, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    byte[][] members = keys.stream().map(RedisTier::bytes).toArray(byte[][]::new);
    call("SREM", redis -> redis.srem(tagKey(tag), members));
  }

  /** Moves the pattern epoch, so that fills under way notice a pattern invalidation. */
  private void bumpEpoch() {
    call("bump epoch", redis -> redis.incr(epochKey));
  }

  /** Deletes keys and moves their fences, pipelined; returns how many values existed. */
  private long deleteAll(List<String> keys) {
    if (keys.isEmpty()) {
      return 0;
    }
    return call(
        "delete",
        redis -> {
          CompletionStage<Long> total = CompletableFuture.completedFuture(0L);
          for (String key : keys) {
            total = total.thenCombine(deleteAsync(redis, key, null), Long::sum);
          }
          return total;
        });
  }

  /**
   * One page of a SCAN over value keys matching a glob pattern, examining about {@code count} keys:
   * for callers that walk the key space a little at a time (the consistency auditor).
   */
  KeyScanCursor<String> scanPage(ScanCursor cursor, String pattern, int count) {
    ScanArgs args = ScanArgs.Builder.matches(valuePattern(pattern)).limit(count);
    return call("SCAN", redis -> redis.scan(cursor, args));
  }

  /** One page of a SCAN over value keys matching a glob pattern. */
  private KeyScanCursor<String> scan(ScanCursor cursor, String pattern) {
    ScanArgs args = ScanArgs.Builder.matches(valuePattern(pattern)).limit(SCAN_PAGE);
    return call("SCAN", redis -> redis.scan(cursor, args));
  }

  // --- the invalidation log ------------------------------------------------------------------

  /**
   * Appends the entries for {@code keys} (invalidated because of {@code tags}, if any), a chunk of
   * keys each.
   */
  private CompletionStage<?> appendKeys(
      RedisClusterAsyncCommands<String, byte[]> redis, List<String> keys, String[] tags) {
    List<String> tagList = List.of(tags);
    List<CompletionStage<?>> appends = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += KEYS_PER_ENTRY) {
      List<String> chunk = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_ENTRY));
      appends.add(append(redis, LogEntry.keys(nodeId, chunk, tagList)));
    }
    if (appends.isEmpty() && tags.length > 0) {
      appends.add(append(redis, LogEntry.keys(nodeId, List.of(), tagList)));
    }
    return allOf(appends);
  }

  private CompletionStage<String> append(
      RedisClusterAsyncCommands<String, byte[]> redis, LogEntry entry) {
    meters.invalidationsPublished.increment();
    return redis.xadd(
        logKey, XAddArgs.Builder.maxlen(logMaxLength).approximateTrimming(true), entry.fields());
  }

  /**
   * Runs {@code then} (the log entry) after {@code first} (the writes it describes). In a cluster
   * they may reach different shards, so the entry is sent only once the writes are acknowledged.
   *
   * <p>On one connection to one server, Redis executes commands in the order sent, so both are
   * pipelined, with one exception: a write that is a script Redis does not know (NOSCRIPT, after a
   * restart, a failover or SCRIPT FLUSH) is sent again whole, behind the entry. A peer that read L2
   * between the two would cache the old value after its invalidation, for good. The scripts set
   * {@code sentWhole} when that happens, and the entry is then appended again, after the writes.
   * (Asking whether the entry's reply came first instead also re-appended, needlessly, whenever a
   * descheduled caller found both replies in: each peer then counted one write twice.)
   */
  private CompletionStage<?> ordered(
      CompletionStage<?> first, AtomicBoolean sentWhole, Supplier<CompletionStage<?>> then) {
    if (!orderedPipeline) {
      return first.thenCompose(ignored -> then.get());
    }
    CompletionStage<?> entry = then.get();
    return first.thenCompose(
        ignored -> (sentWhole.get() ? then.get() : entry).thenApply(Object.class::cast));
  }

  private static CompletionStage<?> allOf(List<CompletionStage<?>> stages) {
    return CompletableFuture.allOf(
        stages.stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
