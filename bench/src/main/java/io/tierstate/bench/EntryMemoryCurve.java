package io.tierstate.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierstate.Tierstate;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one cached entry costs: bytes of heap per L1 entry beside Caffeine's, and bytes of Redis
 * memory per entry (value envelope, tag index, log) beside a plain {@code SET} of the same JSON.
 */
final class EntryMemoryCurve {
  private static final int ENTRIES_PER_TAG = 100;

  private EntryMemoryCurve() {}

  static Section run(BenchRedis redis, int entries) throws Exception {
    Section section = new Section("Memory per cached entry");
    heap(redis, entries, section);
    redisMemory(redis, entries, section);
    return section;
  }

  private static void heap(BenchRedis redis, int entries, Section section) throws Exception {
    // Each subject holds its own fresh keys and values, so every figure includes one key and one value.
    Object[] held = new Object[entries * 2];
    long plain = marginalBytes(entries, (from, to) -> {
      for (int i = from; i < to; i++) {
        held[2 * i] = "heap:" + i;
        held[2 * i + 1] = Value.of(i);
      }
    });
    Arrays.fill(held, null);

    Cache<String, Value> caffeine = Caffeine.newBuilder().maximumSize(entries * 2L).build();
    long caffeineBytes = marginalBytes(entries, (from, to) -> {
      for (int i = from; i < to; i++) {
        caffeine.put("heap:" + i, Value.of(i));
      }
    });
    Checks.check(caffeine.estimatedSize() == entries, "Caffeine lost entries");
    caffeine.invalidateAll();

    Cache<String, Value> expiring = Caffeine.newBuilder().maximumSize(entries * 2L)
        .expireAfterWrite(Duration.ofHours(1)).build();
    long expiringBytes = marginalBytes(entries, (from, to) -> {
      for (int i = from; i < to; i++) {
        expiring.put("heap:" + i, Value.of(i));
      }
    });
    expiring.invalidateAll();

    long tierstateBytes;
    try (ScalingRedis plainRedis = new ScalingRedis(redis);
        Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-heap")
            .nodeId("scale-heap").l1MaximumSize(entries * 2L).l1MaximumAge(Duration.ofHours(1)).build())) {
      plainRedis.flush();
      tierstateBytes = marginalBytes(entries, (from, to) -> {
        Map<String, Value> batch = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
          batch.put("heap:" + i, Value.of(i));
          if (batch.size() == 1_000 || i == to - 1) {
            node.cache().setAll(batch, ScalingRedis.HOUR);
            batch.clear();
          }
        }
      });
      Checks.check(node.metrics().snapshot().l1Size() == entries,
          "Tierstate's L1 holds " + node.metrics().snapshot().l1Size() + " of " + entries + " entries");
      plainRedis.flush();
    }

    int measured = entries / 2;
    double keyAndValue = (double) plain / measured;
    Table table = new Table("holder", "heap per entry", "of which the cache's own", "vs Caffeine");
    table.row("an array of the keys and values (no cache)", bytes(keyAndValue), "0 B", "");
    row(table, "Caffeine, size-bounded", caffeineBytes, measured, keyAndValue, caffeineBytes);
    row(table, "Caffeine, size-bounded + expireAfterWrite", expiringBytes, measured, keyAndValue, caffeineBytes);
    row(table, "Tierstate L1", tierstateBytes, measured, keyAndValue, caffeineBytes);
    section.paragraph("""
        Heap per L1 entry: each holder gets %,d entries (a 256-byte-JSON record value and a         10-character key each) in two halves; the heap in use after a full GC, measured after each         half, gives the cost of the second half's %,d entries, so fixed costs (buffers, thread         stacks, the first table) drop out. Every figure includes the key and the value; the second         column subtracts them. Tierstate's L1 entry also holds the value's type, its freshness         deadlines and its tags (what it needs to serve stale-while-revalidate, refresh-ahead and tag         invalidation without asking Redis).""".formatted(entries, measured))
        .table(table);
  }

  /** An action over the entries {@code [from, to)}. */
  private interface Fill {
    void range(int from, int to) throws Exception;
  }

  /** Heap that the second half of {@code entries} added, after a full GC. */
  private static long marginalBytes(int entries, Fill fill) throws Exception {
    fill.range(0, entries / 2);
    long before = usedHeapAfterGc();
    fill.range(entries / 2, entries);
    return usedHeapAfterGc() - before;
  }

  private static void row(Table table, String name, long bytes, int entries, double keyAndValue,
      long caffeineBytes) {
    double perEntry = (double) bytes / entries;
    table.row(name, bytes(perEntry), bytes(perEntry - keyAndValue),
        Section.ratio((double) bytes / caffeineBytes));
  }

  private static void redisMemory(BenchRedis redis, int entries, Section section) throws Exception {
    try (ScalingRedis plain = new ScalingRedis(redis)) {
      plain.flush();
      long empty = plain.usedMemory();
      plain.fillPlain("plain:", entries);
      long plainBytes = plain.usedMemory() - empty;
      plain.flush();

      empty = plain.usedMemory();
      long total;
      long values;
      long tags;
      long log;
      long settled;
      // A short load lease, so that the write fences (which live two leases) expire soon.
      try (Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-mem")
          .nodeId("scale-mem").l1MaximumSize(1_000).loadLeaseTtl(Duration.ofSeconds(2)).build())) {
        for (int from = 0; from < entries; from += ENTRIES_PER_TAG) {
          var batch = new java.util.LinkedHashMap<String, Value>();
          for (int i = from; i < Math.min(entries, from + ENTRIES_PER_TAG); i++) {
            batch.put("mem:" + i, Value.of(i));
          }
          node.cache().setAll(batch, ScalingRedis.HOUR.tags("group-" + from / ENTRIES_PER_TAG));
        }
        total = plain.usedMemory() - empty;
        values = plain.memoryUsageOfAll("*{mem:*}");
        tags = plain.memoryUsageOfAll("*tag:group-*");
        log = plain.memoryUsage(plain.onlyKey("*log"));
        // Fences expire 2 load leases after their write; KEYS deletes the expired ones it meets.
        TimeUnit.MILLISECONDS.sleep(2 * node.config().loadLeaseTtl().toMillis() + 1_000);
        Checks.check(plain.sync.keys("*{mem:*}:f").isEmpty(), "write fences outlived twice the load lease");
        settled = plain.usedMemory() - empty;
      }
      plain.flush();
      Table table = new Table("stored", "Redis memory per entry", "vs plain SET");
      table.row("plain `SET key json PX 3600000`", bytes((double) plainBytes / entries), "1.00x");
      table.row("Tierstate entry, all told (`used_memory` delta), just written", bytes((double) total / entries),
          Section.ratio((double) total / plainBytes));
      table.row("Tierstate entry, all told, once its write fence expired", bytes((double) settled / entries),
          Section.ratio((double) settled / plainBytes));
      table.row("… its value key (envelope: version, TTLs, type, JSON)", bytes((double) values / entries), "");
      table.row("… its share of tag indexes (" + ENTRIES_PER_TAG + " entries per tag)",
          bytes((double) tags / entries), "");
      table.row("… its share of the invalidation log (bounded by its MAXLEN)", bytes((double) log / entries), "");
      section.paragraph("""
          Redis memory per entry: %,d entries of the same 256-byte JSON, written once as plain \
          `SET`s and once through Tierstate (`setAll`, one tag per %d entries), each into an empty \
          database; `used_memory` before and after (Redis's own accounting, keyspace overhead \
          included), and `MEMORY USAGE` (every element counted) of the value keys, the tag sets and \
          the log stream. `MEMORY USAGE` leaves out what the keyspace spends per key \
          (its hash-table and expiry entries), so the parts do not add up to the whole. A write \
          fence (the counter that orders a write against fills under way) lives twice the load lease \
          after its write, so only recently written entries carry one: the two totals are with and \
          without. The log is capped by `invalidationLogMaxLength`, so its share falls as entries grow; \
          value and tag overheads do not.""".formatted(entries, ENTRIES_PER_TAG))
          .table(table);
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static String bytes(double value) {
    return Section.number(value, 0) + " B";
  }
}
