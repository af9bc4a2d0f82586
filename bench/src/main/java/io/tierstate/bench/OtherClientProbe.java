package io.tierstate.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
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

  /**
   * What an operation took, what another client saw of Redis for a second before it and during it,
   * and, to tell a slow Redis from a slow client, the longest stop-the-world GC pause of this JVM
   * (where the probe runs) and the longest event Redis's own latency monitor recorded during it.
   */
  record Measured(long nanos, Histogram idle, Histogram during, long longestGcPauseMillis, long longestRedisEventMillis) {
    /** Adds the other client's p99 (idle and during) and worst round trip during, at {@code x}. */
    void plot(Charts.Chart chart, double x) {
      chart.point("p99 during", x, during.getValueAtPercentile(99) / 1e6);
      chart.point("max during", x, during.getMaxValue() / 1e6);
      chart.point("p99 idle", x, idle.getValueAtPercentile(99) / 1e6);
    }

    /** The longest GC pause and Redis event during the operation, as {@code 312 / 2} (ms). */
    String causes() {
      return longestGcPauseMillis + " / " + (longestRedisEventMillis < 0 ? "n/a" : Long.toString(longestRedisEventMillis));
    }
  }

  /** Probes Redis for a second, then runs {@code work} under the probe and times it. */
  static Measured measure(String url, Work work) throws Exception {
    Histogram idle = around(url, () -> Thread.sleep(1_000));
    long[] nanos = new long[1];
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> admin = client.connect();
        GcPauses pauses = GcPauses.watch()) {
      boolean monitored = startLatencyMonitor(admin.sync());
      // Timed inside the probe: its connection set-up is not the operation's cost.
      Histogram during = around(url, () -> {
        long start = System.nanoTime();
        work.run();
        nanos[0] = System.nanoTime() - start;
      });
      long redisEvent = monitored ? longestLatencyEvent(admin.sync()) : -1;
      return new Measured(nanos[0], idle, during, pauses.longestMillis(), redisEvent);
    } finally {
      client.shutdown();
    }
  }

  /**
   * Makes Redis record every event of 1 ms or more (commands, expiry and eviction cycles, forks) and
   * forgets earlier ones; false when the server refuses (a managed Redis may).
   */
  private static boolean startLatencyMonitor(RedisCommands<String, String> redis) {
    try {
      redis.configSet("latency-monitor-threshold", "1");
      redis.dispatch(LATENCY, new IntegerOutput<>(StringCodec.UTF8),
          new CommandArgs<>(StringCodec.UTF8).add("RESET"));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The largest "max latency" of {@code LATENCY LATEST}'s events, in ms (0 when none passed the threshold). */
  private static long longestLatencyEvent(RedisCommands<String, String> redis) {
    List<Object> events = redis.dispatch(LATENCY, new ArrayOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).add("LATEST"));
    long longest = 0;
    for (Object event : events) {
      // [name, unix time of the latest, latest ms, all-time max ms]; after RESET, max is this window's.
      if (event instanceof List<?> fields && fields.size() >= 4 && fields.get(3) instanceof Long max) {
        longest = Math.max(longest, max);
      }
    }
    return longest;
  }

  /** Redis's LATENCY command, which Lettuce's command set lacks. */
  private static final ProtocolKeyword LATENCY =
      new ProtocolKeyword() {
        @Override
        public byte[] getBytes() {
          return "LATENCY".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
          return "LATENCY";
        }
      };

  /** The longest stop-the-world pause of this JVM's collectors while it is open. */
  private static final class GcPauses implements NotificationListener, AutoCloseable {
    private final AtomicLong longest = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    static GcPauses watch() {
      GcPauses pauses = new GcPauses();
      for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
        // G1's and ZGC's concurrent cycles report their whole concurrent time, not a pause.
        if (bean instanceof NotificationEmitter emitter && !bean.getName().toLowerCase(Locale.ROOT).contains("concurrent")) {
          emitter.addNotificationListener(pauses, null, null);
          pauses.emitters.add(emitter);
        }
      }
      return pauses;
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        longest.accumulateAndGet(info.getGcInfo().getDuration(), Math::max);
      }
    }

    long longestMillis() {
      return longest.get();
    }

    @Override
    public void close() {
      for (NotificationEmitter emitter : emitters) {
        try {
          emitter.removeNotificationListener(this);
        } catch (ListenerNotFoundException e) {
          // Never added: nothing to remove.
        }
      }
    }
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
