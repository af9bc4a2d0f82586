package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantees 2 and 3: one loader per key across the cluster, and no fill that read the source of
 * truth before a write can overwrite it, whatever the interleaving.
 */
class LoadProtocolIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private Nodes nodes;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    nodes.close();
  }

  /** The source of truth: a value and a version that writes move. */
  static final class Database {
    final AtomicReference<String> value = new AtomicReference<>("v1");
  }

  /**
   * Defect 8 of the fault suite: a tag invalidation deleted a page of the tag's keys and then took
   * them out of the tag's set. A fill that wrote one of those keys and registered it in between
   * (its lease taken after the tag's version moved, so it had no reason to undo itself) kept its
   * value but lost its registration, and the next {@code invalidateTags} missed the key until its
   * TTL. Taking the keys out of the set first leaves no such window: a fill that registers after
   * the removal is deleted with its key or stays registered. Redis's {@code MONITOR} shows the
   * order the node sends.
   */
  @Test
  void aTagInvalidationTakesKeysOutOfTheTagSetBeforeDeletingThem() throws Exception {
    Tierstate node = nodes.start("a");
    List<String> keys = List.of("d8:item:0", "d8:item:1", "d8:item:2");
    for (String key : keys) {
      node.cache().set(key, "v1", MINUTE.tags("d8-group"));
    }
    List<String> commands;
    try (Monitor monitor = new Monitor(Nodes.sharedRedis().port())) {
      assertThat(node.cache().invalidateTags("d8-group")).isEqualTo(3);
      commands =
          monitor.readUntil(
              seen ->
                  keys.stream()
                      .allMatch(key -> deleteOf(seen, key) >= 0 && removalOf(seen, key) >= 0),
              Duration.ofSeconds(5));
    }
    for (String key : keys) {
      int removed = removalOf(commands, key);
      assertThat(removed).as("%s taken out of the tag's set", key).isNotNegative();
      assertThat(removed)
          .as("%s out of the set before it is deleted", key)
          .isLessThan(deleteOf(commands, key));
    }
  }

  /** The index of the first {@code SREM} that names {@code key} in MONITOR lines, or -1. */
  private static int removalOf(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"SREM\"") && lines.get(i).contains("\"" + key + "\"")) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the first {@code DEL} of {@code key}'s value in MONITOR lines, or -1. */
  private static int deleteOf(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("\"DEL\"") && lines.get(i).contains("{" + key + "}\"")) {
        return i;
      }
    }
    return -1;
  }

  /** A raw connection in MONITOR mode: every command Redis runs, scripts' commands included. */
  private static final class Monitor implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.BufferedReader in;

    Monitor(int port) throws java.io.IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket
          .getOutputStream()
          .write("MONITOR\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("+OK");
    }

    /** The lines seen until {@code done} holds for them, or the time is up. */
    List<String> readUntil(java.util.function.Predicate<List<String>> done, Duration within)
        throws java.io.IOException {
      List<String> lines = new ArrayList<>();
      long deadline = System.nanoTime() + within.toNanos();
      socket.setSoTimeout((int) within.toMillis());
      while (!done.test(lines) && System.nanoTime() < deadline) {
        String line = in.readLine();
        if (line == null) {
          break;
        }
        lines.add(line);
      }
      return lines;
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  @Test
  void concurrentMissesOnThreeNodesRunTheLoaderOnce() throws Exception {
    List<Tierstate> cluster = List.of(nodes.start("a"), nodes.start("b"), nodes.start("c"));
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      Tierstate node = cluster.get(i % 3);
      results.add(
          pool.submit(
              () -> {
                go.await();
                return node.cache()
                    .getOrLoad(
                        "hot",
                        String.class,
                        () -> {
                          loads.incrementAndGet();
                          Thread.sleep(200);
                          return "loaded";
                        },
                        MINUTE);
              }));
    }
    go.countDown();
    for (Future<String> result : results) {
      assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("loaded");
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void aDeadLeaseHolderCostsAtMostItsLease() throws Exception {
    Tierstate b = nodes.start("b", c -> c.loadLeaseTtl(Duration.ofMillis(800)));
    // A node took the lease and died before filling: its lease is all that is left in Redis.
    String leaseKey = nodes.namespace() + ":{orphan}:l";
    nodes.redis().command("SET", leaseKey, "dead-node:1", "PX", "800");
    AtomicInteger loads = new AtomicInteger();

    long start = System.nanoTime();
    String value =
        b.cache()
            .getOrLoad(
                "orphan",
                String.class,
                () -> {
                  loads.incrementAndGet();
                  return "recovered";
                },
                MINUTE);

    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(value).isEqualTo("recovered");
    assertThat(loads).hasValue(1);
    assertThat(waited).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
  }

  @Test
  void aWaiterInterruptedWhileAnotherNodeLoadsLeavesNoWaiterBehind() throws Exception {
    Tierstate b = nodes.start("b", c -> c.loadLeaseTtl(Duration.ofSeconds(10)));
    DefaultTieredCache cache = (DefaultTieredCache) b.cache();
    // Another node holds the lease and is still loading.
    nodes.redis().command("SET", nodes.namespace() + ":{slow}:l", "other-node:1", "PX", "10000");
    AtomicReference<Thread> caller = new AtomicReference<>();
    Future<Object> waiting =
        pool.submit(
            () -> {
              caller.set(Thread.currentThread());
              return b.cache().getOrLoad("slow", String.class, () -> "loaded here", MINUTE);
            });
    Await.until(
        "b waits for the other node's load",
        () ->
            cache.waitsForLease("slow")
                && caller.get() != null
                && Arrays.stream(caller.get().getStackTrace())
                    .anyMatch(
                        frame ->
                            frame.getClassName().equals(LeaseWaiters.class.getName())
                                && frame.getMethodName().equals("await")));

    caller.get().interrupt();

    assertThat(waiting)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(InterruptedException.class);
    assertThat(cache.waitsForLease("slow"))
        .as(
            "the waiter is forgotten when its wait ends in an interrupt, not at the key's next log entry")
        .isFalse();
  }

  @Test
  void waitersGetTheLoadedValueWithoutRunningTheLoader() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> holder =
        pool.submit(
            () ->
                a.cache()
                    .getOrLoad(
                        "k",
                        String.class,
                        () -> {
                          loading.countDown();
                          release.await();
                          return "from-a";
                        },
                        MINUTE));
    assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
    AtomicInteger bLoads = new AtomicInteger();
    Future<String> waiter =
        pool.submit(
            () ->
                b.cache()
                    .getOrLoad(
                        "k",
                        String.class,
                        () -> {
                          bLoads.incrementAndGet();
                          return "from-b";
                        },
                        MINUTE));
    Thread.sleep(100); // let b reach its wait; the assertion below holds either way
    release.countDown();

    assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("from-a");
    assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("from-a");
    assertThat(bLoads).hasValue(0);
  }

  @Test
  void aFillThatReadBeforeAWriteNeverOverwritesIt() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Database db = new Database();
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch writeDone = new CountDownLatch(1);
    // a misses and reads v1 from the database, then stalls before filling.
    Future<String> slowFill =
        pool.submit(
            () ->
                a.cache()
                    .getOrLoad(
                        "row",
                        String.class,
                        () -> {
                          String read = db.value.get();
                          readDone.countDown();
                          writeDone.await();
                          return read;
                        },
                        MINUTE));
    assertThat(readDone.await(5, TimeUnit.SECONDS)).isTrue();
    // b writes v2 to the database and invalidates the cache, as cache-aside writers do.
    db.value.set("v2");
    b.cache().delete("row");
    writeDone.countDown();

    assertThat(slowFill.get(5, TimeUnit.SECONDS))
        .isEqualTo("v1"); // its caller read before the write
    // ...but neither L2 nor any L1 keeps v1:
    CacheLoader<String> loader = db.value::get;
    assertThat(a.cache().getOrLoad("row", String.class, loader, MINUTE)).isEqualTo("v2");
    assertThat(b.cache().getOrLoad("row", String.class, loader, MINUTE)).isEqualTo("v2");
    assertThat(fills(a, "fenced")).isEqualTo(1);
  }

  @Test
  void aFillThatReadBeforeASetNeverOverwritesIt() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch writeDone = new CountDownLatch(1);
    Future<String> slowFill =
        pool.submit(
            () ->
                a.cache()
                    .getOrLoad(
                        "row",
                        String.class,
                        () -> {
                          readDone.countDown();
                          writeDone.await();
                          return "old";
                        },
                        MINUTE));
    assertThat(readDone.await(5, TimeUnit.SECONDS)).isTrue();
    b.cache().set("row", "new", MINUTE);
    writeDone.countDown();
    slowFill.get(5, TimeUnit.SECONDS);

    assertThat(a.cache().get("row", String.class)).contains("new");
    assertThat(b.cache().get("row", String.class)).contains("new");
    assertThat(nodes.redis().command("EXISTS", nodes.namespace() + ":{row}")).isEqualTo("1");
  }

  @Test
  void aFillRacingATagInvalidationNeverSurvivesIt() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch invalidated = new CountDownLatch(1);
    // The key is not in the tag set yet when b invalidates the tag: only the tag version can
    // tell a's fill that it lost the race.
    Future<String> slowFill =
        pool.submit(
            () ->
                a.cache()
                    .getOrLoad(
                        "ticket:9",
                        String.class,
                        () -> {
                          readDone.countDown();
                          invalidated.await();
                          return "old";
                        },
                        MINUTE.tags("tickets")));
    assertThat(readDone.await(5, TimeUnit.SECONDS)).isTrue();
    b.cache().invalidateTags("tickets");
    invalidated.countDown();
    slowFill.get(5, TimeUnit.SECONDS);

    assertThat(a.cache().get("ticket:9", String.class)).isEmpty();
    assertThat(b.cache().get("ticket:9", String.class)).isEmpty();
    assertThat(fills(a, "concurrent-invalidation")).isEqualTo(1);
  }

  @Test
  void aFillRacingAPatternInvalidationNeverSurvivesIt() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch invalidated = new CountDownLatch(1);
    Future<String> slowFill =
        pool.submit(
            () ->
                a.cache()
                    .getOrLoad(
                        "report:1",
                        String.class,
                        () -> {
                          readDone.countDown();
                          invalidated.await();
                          return "old";
                        },
                        MINUTE));
    assertThat(readDone.await(5, TimeUnit.SECONDS)).isTrue();
    b.invalidator().invalidatePattern("report:*");
    invalidated.countDown();
    slowFill.get(5, TimeUnit.SECONDS);

    assertThat(a.cache().get("report:1", String.class)).isEmpty();
    assertThat(b.cache().get("report:1", String.class)).isEmpty();
  }

  @Test
  void randomInterleavingsOfLoadsAndWritesNeverLeaveAStaleValue() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    List<Tierstate> both = List.of(a, b);
    AtomicInteger version = new AtomicInteger();
    CacheLoader<Integer> loader =
        () -> {
          int read = version.get();
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
          return read;
        };
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      int id = t;
      workers.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < deadline) {
                  Tierstate node =
                      both.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(2));
                  if (id == 0) {
                    version.incrementAndGet();
                    node.cache().delete("counter");
                  } else {
                    node.cache().getOrLoad("counter", Integer.class, loader, MINUTE);
                  }
                }
                return null;
              }));
    }
    for (Future<?> worker : workers) {
      worker.get(20, TimeUnit.SECONDS);
    }
    // Quiesced: whatever the interleaving was, every tier must now agree with the source.
    int truth = version.get();
    Await.until(
        "both nodes converge on the last version",
        () ->
            a.cache().getOrLoad("counter", Integer.class, loader, MINUTE) == truth
                && b.cache().getOrLoad("counter", Integer.class, loader, MINUTE) == truth);
  }

  @Test
  void staleWhileRevalidateServesTheOldValueAndRefreshesOnce() throws Exception {
    Tierstate a = nodes.start("a");
    AtomicInteger loads = new AtomicInteger();
    CacheOptions options =
        CacheOptions.ttl(Duration.ofMillis(300)).staleWhileRevalidate(Duration.ofSeconds(30));
    CacheLoader<String> loader = () -> "v" + loads.incrementAndGet();
    assertThat(a.cache().getOrLoad("swr", String.class, loader, options)).isEqualTo("v1");
    Thread.sleep(400); // past the TTL, inside the revalidation window

    assertThat(a.cache().getOrLoad("swr", String.class, loader, options)).isEqualTo("v1");
    Await.until(
        "the background refresh lands",
        () -> "v2".equals(a.cache().getOrLoad("swr", String.class, loader, options)));
    assertThat(loads).hasValue(2);
  }

  @Test
  void refreshAheadReloadsBeforeExpiry() throws Exception {
    Tierstate a = nodes.start("a");
    AtomicInteger loads = new AtomicInteger();
    CacheOptions options = CacheOptions.ttl(Duration.ofMillis(1000)).refreshAhead(0.5);
    CacheLoader<String> loader = () -> "v" + loads.incrementAndGet();
    a.cache().getOrLoad("ra", String.class, loader, options);
    Thread.sleep(600); // less than half the TTL is left

    assertThat(a.cache().getOrLoad("ra", String.class, loader, options))
        .isEqualTo("v1"); // no waiting
    Await.until(
        "refreshed before expiry",
        () -> a.cache().get("ra", String.class).equals(java.util.Optional.of("v2")));
    assertThat(loads).hasValue(2);
  }

  @Test
  void staleIfErrorServesTheOldValueWhenTheLoaderFails() throws Exception {
    Tierstate a = nodes.start("a");
    CacheOptions options =
        CacheOptions.ttl(Duration.ofMillis(200)).staleIfError(Duration.ofSeconds(30));
    a.cache().getOrLoad("sie", String.class, () -> "good", options);
    Thread.sleep(300);
    Tierstate b = nodes.start("b"); // no L1 copy: the stale value must come from Redis

    String served =
        b.cache()
            .getOrLoad(
                "sie",
                String.class,
                () -> {
                  throw new IllegalStateException("database down");
                },
                options);

    assertThat(served).isEqualTo("good");
    assertThat(b.metrics().snapshot().staleServed()).isEqualTo(1);
  }

  private static double fills(Tierstate node, String reason) {
    return node
        .metrics()
        .registry()
        .find(MeterNames.CACHE_FILLS_REJECTED)
        .tag("reason", reason)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
