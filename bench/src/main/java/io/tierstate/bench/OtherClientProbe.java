package io.tierstate.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Another client of the same Redis, as a second service would be: one thread on its own connection
 * sends {@code GET} after {@code GET} and records each round trip. Started around an operation under
 * test, it shows whether that operation kept Redis responsive to everyone else (a long script or a
 * huge reply blocks every client for its whole duration).
 *
 * <p>Start it, run the operation, {@link #stop()} it; one use per instance.
 */
final class OtherClientProbe implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
  private final Thread thread;
  private volatile boolean running = true;

  private OtherClientProbe(String url) {
    client = RedisClient.create(url);
    connection = client.connect();
    RedisCommands<String, String> redis = connection.sync();
    redis.set("probe:key", "x".repeat(100));
    thread = new Thread(() -> {
      while (running) {
        long start = System.nanoTime();
        redis.get("probe:key");
        latency.recordValue(Math.min(System.nanoTime() - start, latency.getHighestTrackableValue()));
      }
    }, "other-client-probe");
    thread.setDaemon(true);
  }

  /** Connects and starts probing. */
  static OtherClientProbe start(String url) {
    OtherClientProbe probe = new OtherClientProbe(url);
    probe.thread.start();
    return probe;
  }

  /** Stops probing and returns what it recorded. */
  Histogram stop() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.MINUTES.toMillis(1));
    return latency;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.MINUTES.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connection.close();
    client.shutdown();
  }

  /** An operation under test. */
  interface Work {
    void run() throws Exception;
  }

  /** What an operation took, and what another client saw of Redis for a second before it and during it. */
  record Measured(long nanos, Histogram idle, Histogram during) {
    /** Adds the other client's p99 (idle and during) and worst round trip during, at {@code x}. */
    void plot(Charts.Chart chart, double x) {
      chart.point("p99 during", x, during.getValueAtPercentile(99) / 1e6);
      chart.point("max during", x, during.getMaxValue() / 1e6);
      chart.point("p99 idle", x, idle.getValueAtPercentile(99) / 1e6);
    }
  }

  /** Probes Redis for a second, then runs {@code work} under the probe and times it. */
  static Measured measure(String url, Work work) throws Exception {
    Histogram idle = around(url, () -> Thread.sleep(1_000));
    long[] nanos = new long[1];
    // Timed inside the probe: its connection set-up is not the operation's cost.
    Histogram during = around(url, () -> {
      long start = System.nanoTime();
      work.run();
      nanos[0] = System.nanoTime() - start;
    });
    return new Measured(nanos[0], idle, during);
  }

  private static Histogram around(String url, Work work) throws Exception {
    try (OtherClientProbe probe = start(url)) {
      work.run();
      return probe.stop();
    }
  }

  /** The probe's p99 and maximum in milliseconds, as {@code 0.21 / 3.4}. */
  static String p99AndMax(Histogram h) {
    return String.format(java.util.Locale.ROOT, "%.2f / %.1f",
        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
  }
}
