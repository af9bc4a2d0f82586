package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.cache.InvalidationEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Invalidation propagation with 2 … 16 nodes: one node writes a key that every other node holds in
 * its L1; each receiving node's invalidation listener times the moment it dropped its copy. The
 * nodes are separate Tierstate instances (each its own Redis connections, invalidation reader and
 * threads) in one JVM on this machine's two cores: the curve shows how the fan-out grows with the
 * number of readers of the log, bounded by two cores shared by every node and Redis itself.
 */
final class PropagationCurve {
  private static final long TIMEOUT_SECONDS = 10;
  private static final String SYNC_KEY = "prop:sync";

  private PropagationCurve() {}

  static Section run(BenchRedis redis, int[] nodeCounts, int keys, Path charts) throws Exception {
    Table table = new Table("nodes", "invalidations", "each node p50", "each node p99", "last node p99",
        "max");
    Charts.Chart chart = new Charts.Chart("Invalidation propagation by node count", "nodes", "ms");
    try (ScalingRedis plain = new ScalingRedis(redis)) {
      for (int count : nodeCounts) {
        plain.flush();
        Histogram each = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        Histogram last = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        measure(redis, count, keys, each, last);
        table.row(Integer.toString(count), Section.number((double) keys * (count - 1), 0),
            ms(each.getValueAtPercentile(50)), ms(each.getValueAtPercentile(99)),
            ms(last.getValueAtPercentile(99)), ms(each.getMaxValue()));
        chart.point("each node p50", count, each.getValueAtPercentile(50) / 1e6);
        chart.point("each node p99", count, each.getValueAtPercentile(99) / 1e6);
        chart.point("last node p99", count, last.getValueAtPercentile(99) / 1e6);
      }
      plain.flush();
    }
    chart.save(charts.resolve("propagation-by-nodes.png"));
    return new Section("Invalidation propagation by node count")
        .paragraph("""
            N nodes on one Redis; every node but the writer holds %,d keys in its L1. The writer \
            `set`s each key in turn (one at a time) and every other node's `onInvalidation` listener \
            records when it dropped its copy: "each node" is over every (key, node) pair, "last node" \
            the time until the slowest node had it. The nodes are separate Tierstate instances (their \
            own connections, log readers and threads) in one JVM: separate JVMs on two cores would \
            mostly measure 16 JITs and garbage collectors competing. The figure is therefore bounded by \
            two cores that all N nodes and Redis share, and it grows with N for that reason as well as \
            for the fan-out itself.""".formatted(keys))
        .table(table)
        .paragraph("![propagation by node count](scaling/propagation-by-nodes.png)");
  }

  private static void measure(BenchRedis redis, int count, int keys, Histogram each, Histogram last)
      throws Exception {
    List<Tierstate> nodes = new ArrayList<>();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> pending = new ConcurrentHashMap<>();
    Map<String, Long> lastArrival = new ConcurrentHashMap<>();
    Set<String> heard = ConcurrentHashMap.newKeySet();
    try {
      for (int n = 0; n < count; n++) {
        Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-prop")
            .nodeId("prop-" + count + "-" + n).build());
        nodes.add(node);
        if (n > 0) {
          String reader = "prop-" + count + "-" + n;
          // Closed with the node, which drops its listeners.
          var unused = node.invalidator().onInvalidation(event -> {
            if (event.kind() != InvalidationEvent.Kind.KEYS || event.local()) {
              return;
            }
            long now = System.nanoTime();
            for (String key : event.keys()) {
              Long sent = sentAt.get(key);
              CountDownLatch latch = pending.get(key);
              // Once per node and key: a second entry naming the key (a resent script logs its
              // entry again) must not count for a node that has not heard yet.
              if (sent != null && latch != null && heard.add(key + " " + reader)) {
                synchronized (each) {
                  each.recordValue(now - sent);
                }
                lastArrival.merge(key, now, Math::max);
                latch.countDown();
              }
            }
          });
        }
      }
      for (Tierstate node : nodes) {
        Invalidations.awaitFlowing(node);
      }
      Tierstate writer = nodes.get(0);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        names.add("prop:" + i);
      }
      ScalingRedis.fill(writer, "prop:", keys, ScalingRedis.HOUR);
      // Let the fills' own invalidations reach every node before they cache the keys: a fill's
      // entry arriving late would count down a key's latch below (the wrong event) or fence out a
      // reader's fill. The log is in order, so once every reader heard a later write, it heard them.
      CountDownLatch synced = new CountDownLatch(count - 1);
      pending.put(SYNC_KEY, synced);
      sentAt.put(SYNC_KEY, System.nanoTime());
      writer.cache().set(SYNC_KEY, Value.of(0), ScalingRedis.HOUR);
      Checks.check(synced.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "not every node heard the fills' invalidations within " + TIMEOUT_SECONDS + " s");
      pending.remove(SYNC_KEY);
      synchronized (each) {
        each.reset(); // the sync write is not one of the measured ones
      }
      lastArrival.clear();
      for (Tierstate reader : nodes.subList(1, count)) {
        Checks.check(reader.cache().getAll(names, Value.class).size() == keys, "a reader missed keys");
      }
      for (int i = 0; i < keys; i++) {
        String key = names.get(i);
        CountDownLatch latch = new CountDownLatch(count - 1);
        pending.put(key, latch);
        long sent = System.nanoTime();
        sentAt.put(key, sent);
        writer.cache().set(key, Value.of(i + 1_000_000), ScalingRedis.HOUR);
        Checks.check(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
            "not every node heard the invalidation of " + key + " within " + TIMEOUT_SECONDS + " s");
        last.recordValue(lastArrival.getOrDefault(key, sent) - sent);
        pending.remove(key);
      }
      for (Tierstate reader : nodes.subList(1, count)) {
        Value seen = reader.cache().get(names.get(keys - 1), Value.class).orElseThrow();
        Checks.check(seen.id() == keys - 1 + 1_000_000, "a node served the old value after its invalidation");
      }
    } finally {
      for (Tierstate node : nodes) {
        node.close();
      }
    }
  }

  private static String ms(long nanos) {
    return Section.number(nanos / 1e6, 2) + " ms";
  }
}
