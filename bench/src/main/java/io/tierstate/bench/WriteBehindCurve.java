package io.tierstate.bench;

import io.tierstate.Tierstate;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write-behind delivered writes per second with 1, 2 and 4 nodes: each node writes its share of
 * distinct keys from one thread, and every node's batch writer drains the shared stream as a member
 * of one consumer group; the clock stops when the batch writers have received every write.
 */
final class WriteBehindCurve {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private WriteBehindCurve() {}

  static Section run(BenchRedis redis, int[] nodeCounts, int writes, Path charts) throws Exception {
    Table table = new Table("nodes", "writes", "accepted (write() returned)", "delivered to the batch writers",
        "batches");
    Charts.Chart chart = new Charts.Chart("Write-behind throughput by node count", "nodes", "writes/s");
    WriteBehindOptions options =
        WriteBehindOptions.defaults().withBatchSize(500).withFlushInterval(Duration.ofMillis(50));
    try (ScalingRedis plain = new ScalingRedis(redis)) {
      for (int count : nodeCounts) {
        plain.flush();
        AtomicLong delivered = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        List<Tierstate> nodes = new ArrayList<>();
        List<WriteBehind<Value>> writers = new ArrayList<>();
        try {
          for (int n = 0; n < count; n++) {
            Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-wb")
                .nodeId("wb-" + count + "-" + n).l1MaximumSize(1_000).build());
            nodes.add(node);
            writers.add(node.writeBehind("scale-events", Value.class, batch -> {
              delivered.addAndGet(batch.size());
              batches.incrementAndGet();
            }, options));
          }
          int perNode = writes / count;
          long start = System.nanoTime();
          List<Thread> threads = new ArrayList<>();
          for (int n = 0; n < count; n++) {
            WriteBehind<Value> writer = writers.get(n);
            int offset = n * perNode;
            Thread thread = new Thread(() -> {
              for (int i = 0; i < perNode; i++) {
                writer.write("event:" + (offset + i), Value.of(offset + i), ScalingRedis.HOUR);
              }
            }, "wb-writer-" + n);
            threads.add(thread);
            thread.start();
          }
          for (Thread thread : threads) {
            thread.join();
          }
          long accepted = System.nanoTime();
          long expected = (long) perNode * count;
          while (delivered.get() < expected) {
            Checks.check(System.nanoTime() - start < TIMEOUT.toNanos(),
                "only " + delivered.get() + " of " + expected + " writes delivered in " + TIMEOUT);
            TimeUnit.MILLISECONDS.sleep(1);
          }
          long done = System.nanoTime();
          Checks.check(delivered.get() == expected,
              "delivered " + delivered.get() + " writes for " + expected + " distinct keys written");
          double deliveredPerSecond = (double) expected / ((done - start) / 1e9);
          table.row(Integer.toString(count), Section.number((double) expected, 0),
              Section.number((double) expected / ((accepted - start) / 1e9), 0) + "/s",
              Section.number(deliveredPerSecond, 0) + "/s", Section.number((double) batches.get(), 0));
          chart.point("delivered", count, deliveredPerSecond);
        } finally {
          for (Tierstate node : nodes) {
            node.close();
          }
        }
      }
      plain.flush();
    }
    chart.save(charts.resolve("write-behind-by-nodes.png"));
    return new Section("Write-behind throughput by node count")
        .paragraph("""
            N nodes, one writer thread each, write %,d distinct keys in all through `writeBehind` \
            (batch size 500, flush interval 50 ms); every node's batch writer drains the shared stream \
            as a member of one consumer group. Delivered is from the first write until the batch \
            writers had received every one. All nodes and Redis share this machine's two cores.""".formatted(writes))
        .table(table)
        .paragraph("![write-behind by node count](scaling/write-behind-by-nodes.png)");
  }
}
