package io.tierstate.examples.spring;

import io.tierstate.examples.spring.CatalogNodes.CacheManagerKind;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The catalog service side by side with three cache managers: two instances on one PostgreSQL and
 * one Redis, readers in a closed loop over HTTP on loopback (90% of reads on 100 hot products),
 * and a writer updating hot products through either instance. A read is stale when it returns a
 * version older than one whose update was acknowledged (the PUT answered) more than 100 ms before
 * the read was sent.
 */
final class CatalogBenchmark {
  static final Duration STALE_AFTER = Duration.ofMillis(100);
  private static final int HOT = 100;
  private static final int PRODUCTS = 1000;
  /** The fewest reads between two writes (at about 2,000 reads/s the 20 ms pace alone gives ~45). */
  private static final int READS_PER_WRITE = 40;

  /** What one cache manager measured. */
  record Result(CacheManagerKind kind, long reads, long writes, double seconds, Histogram latencyMicros,
      double dbQueries, long staleReads, long errors) {
    Result plus(Result other) {
      Histogram latency = latencyMicros.copy();
      latency.add(other.latencyMicros);
      return new Result(kind, reads + other.reads, writes + other.writes, seconds + other.seconds, latency,
          dbQueries + other.dbQueries, staleReads + other.staleReads, errors + other.errors);
    }

    double p50Micros() {
      return latencyMicros.getValueAtPercentile(50);
    }

    double p99Micros() {
      return latencyMicros.getValueAtPercentile(99);
    }

    double readsPerSecond() {
      return reads / seconds;
    }

    double queriesPerThousandRequests() {
      return dbQueries * 1000.0 / (reads + writes);
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %.2f | %.1f | %,d of %,d (%.3f%%) | %d |", label(kind),
          readsPerSecond(), p50Micros() / 1000, p99Micros() / 1000, queriesPerThousandRequests(), staleReads, reads,
          100.0 * staleReads / Math.max(1, reads), errors);
    }
  }

  static String label(CacheManagerKind kind) {
    return switch (kind) {
      case TIERSTATE -> "Tierstate (`TierstateCacheManager`, L1 + Redis)";
      case SPRING_DATA_REDIS -> "Spring Data Redis (`RedisCacheManager`)";
      case CAFFEINE -> "Caffeine alone (`CaffeineCacheManager`)";
    };
  }

  static String header() {
    return "| cache manager | reads/s | p50 ms | p99 ms | DB queries / 1,000 requests | stale reads (>100 ms) | errors |\n"
        + "|---|---:|---:|---:|---:|---:|---:|";
  }

  private final PostgresServer postgres;
  private final RedisServer redis;
  private final int readers;
  private final Duration warmup;
  private final Duration measure;
  private final Duration writeEvery;

  CatalogBenchmark(PostgresServer postgres, RedisServer redis, int readers, Duration warmup, Duration measure,
      Duration writeEvery) {
    this.postgres = postgres;
    this.redis = redis;
    this.readers = readers;
    this.warmup = warmup;
    this.measure = measure;
    this.writeEvery = writeEvery;
  }

  /** Runs one cache manager on a fresh database and an empty Redis. */
  Result run(CacheManagerKind kind, int round) throws Exception {
    redis.flushAll();
    String database = postgres.createDatabase("bench_" + kind.name().toLowerCase(Locale.ROOT) + "_" + round);
    try (CatalogNodes nodes = new CatalogNodes(postgres, database, redis)) {
      String[] instances = {nodes.start(kind), nodes.start(kind)};
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      Load load = new Load(http, instances);
      load.start();
      Thread.sleep(warmup.toMillis());
      double queriesBefore = queries(instances);
      load.reset();
      long start = System.nanoTime();
      Thread.sleep(measure.toMillis());
      Load.Snapshot s = load.snapshot();
      double seconds = (System.nanoTime() - start) / 1e9;
      double queries = queries(instances) - queriesBefore;
      load.stop();
      return new Result(kind, s.reads, s.writes, seconds, s.latency, queries, s.stale, s.errors);
    }
  }

  private static double queries(String[] instances) throws Exception {
    double sum = 0;
    for (String base : instances) {
      sum += CatalogApplicationIntegrationTests.dbQueries(base);
    }
    return sum;
  }

  /** Readers and one writer, counting from the last {@link #reset()}. */
  private final class Load {
    record Snapshot(long reads, long writes, long stale, long errors, Histogram latency) {}

    private final HttpClient http;
    private final String[] instances;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** When the update to (id, version) was acknowledged, in nanoTime. */
    private final ConcurrentHashMap<Long, Long> acknowledged = new ConcurrentHashMap<>();
    private final Recorder latency = new Recorder(3);
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder errors = new LongAdder();

    Load(HttpClient http, String[] instances) {
      this.http = http;
      this.instances = instances;
    }

    void start() {
      for (int i = 0; i < readers; i++) {
        threads.add(Thread.ofPlatform().name("reader-" + i).start(this::read));
      }
      threads.add(Thread.ofPlatform().name("writer").start(this::write));
    }

    void reset() {
      latency.reset();
      reads.reset();
      writes.reset();
      stale.reset();
      errors.reset();
    }

    Snapshot snapshot() {
      return new Snapshot(reads.sum(), writes.sum(), stale.sum(), errors.sum(), latency.getIntervalHistogram());
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
    }

    private void read() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running.get()) {
        long id = random.nextInt(10) < 9 ? 1 + random.nextInt(HOT) : 1 + HOT + random.nextInt(PRODUCTS - HOT);
        String base = instances[random.nextInt(instances.length)];
        long sent = System.nanoTime();
        try {
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/products/" + id)).build(),
              HttpResponse.BodyHandlers.ofString());
          latency.recordValue((System.nanoTime() - sent) / 1000);
          if (response.statusCode() != 200) {
            errors.increment();
            continue;
          }
          reads.increment();
          Long newer = acknowledged.get(id * 1_000_000 + version(response.body()) + 1);
          if (newer != null && sent - newer > STALE_AFTER.toNanos()) {
            stale.increment();
          }
        } catch (Exception e) {
          errors.increment();
        }
      }
    }

    private void write() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int n = 0;
      while (running.get()) {
        long id = 1 + random.nextInt(HOT);
        String base = instances[n++ % instances.length];
        try {
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/products/" + id))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"product " + id + " v" + n + "\",\"priceCents\":" + n + "}"))
              .build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            acknowledged.put(id * 1_000_000 + version(response.body()), System.nanoTime());
            writes.increment();
          } else {
            errors.increment();
          }
          Thread.sleep(writeEvery.toMillis());
          // And no more often than one write per READS_PER_WRITE reads: on a slow or busy host the readers fall
          // behind a fixed pace, and every read would then follow a write of its product (nothing left to cache).
          long readsAtWrite = reads.sum();
          while (running.get() && reads.sum() - readsAtWrite < READS_PER_WRITE) {
            Thread.sleep(1);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          errors.increment();
        }
      }
    }
  }

  private static long version(String json) {
    int at = json.indexOf("\"version\":") + "\"version\":".length();
    int end = at;
    while (end < json.length() && Character.isDigit(json.charAt(end))) {
      end++;
    }
    return Long.parseLong(json, at, end, 10);
  }
}
