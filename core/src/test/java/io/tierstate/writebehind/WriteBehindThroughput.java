package io.tierstate.writebehind;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes per second that reach the batch writer: 50,000 writes of distinct keys from 2 nodes (2
 * threads each) against a local Redis, measured from the first write until the last entry was
 * written by a batch writer. Run: {@code mvn -o -q exec:java -pl core -Dexec.classpathScope=test
 * -Dexec.mainClass=io.tierstate.writebehind.WriteBehindThroughput}.
 */
public final class WriteBehindThroughput {
  private WriteBehindThroughput() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int nodeCount = 2;
    int threadsPerNode = 2;
    CacheOptions ttl = CacheOptions.ttl(Duration.ofMinutes(5));
    WriteBehindOptions options =
        WriteBehindOptions.defaults().withBatchSize(500).withFlushInterval(Duration.ofMillis(50));
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis)) {
      AtomicLong written = new AtomicLong();
      AtomicLong batches = new AtomicLong();
      List<WriteBehind<String>> writeBehinds = new ArrayList<>();
      for (int n = 0; n < nodeCount; n++) {
        Tierstate node = nodes.start("node-" + n);
        writeBehinds.add(
            node.writeBehind(
                "events",
                String.class,
                batch -> {
                  written.addAndGet(batch.size());
                  batches.incrementAndGet();
                },
                options));
      }
      ExecutorService pool = Executors.newFixedThreadPool(nodeCount * threadsPerNode);
      int perThread = total / (nodeCount * threadsPerNode);
      long start = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < nodeCount * threadsPerNode; t++) {
        WriteBehind<String> writeBehind = writeBehinds.get(t % nodeCount);
        int offset = t * perThread;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    writeBehind.write("event:" + (offset + i), "payload-" + (offset + i), ttl);
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      long accepted = System.nanoTime();
      long expected = (long) perThread * nodeCount * threadsPerNode;
      while (written.get() < expected) {
        if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
          throw new IllegalStateException(
              "only " + written.get() + " of " + expected + " written in 5 minutes");
        }
        Thread.sleep(1);
      }
      long done = System.nanoTime();
      pool.shutdown();
      double acceptSeconds = (accepted - start) / 1e9;
      double totalSeconds = (done - start) / 1e9;
      System.out.printf(
          "write-behind: %d writes from %d nodes x %d threads%n",
          expected, nodeCount, threadsPerNode);
      System.out.printf(
          "  accepted (write() returned): %.0f writes/s (%.2f s)%n",
          expected / acceptSeconds, acceptSeconds);
      System.out.printf(
          "  reached the batch writer:    %.0f writes/s (%.2f s, %d batches, mean %.0f per batch)%n",
          expected / totalSeconds,
          totalSeconds,
          batches.get(),
          (double) written.get() / batches.get());
    }
  }
}
