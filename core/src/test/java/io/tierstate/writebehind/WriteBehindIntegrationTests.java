package io.tierstate.writebehind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.internal.writebehind.RedisWriteBehind;
import io.tierstate.metrics.HealthStatus;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.FaultProxy;
import io.tierstate.testkit.RedisServer;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-behind across nodes on a real Redis: batching, coalescing, crashes, retries, dead letters.
 */
class WriteBehindIntegrationTests {
  private static final CacheOptions TTL = CacheOptions.ttl(Duration.ofMinutes(5));
  private Nodes nodes;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  /** Records every successful batch. */
  static final class Recorder implements BatchWriter<String> {
    final List<Map<String, String>> batches = new CopyOnWriteArrayList<>();

    @Override
    public void write(Map<String, String> latestByKey) {
      batches.add(new LinkedHashMap<>(latestByKey));
    }

    int entries() {
      return batches.stream().mapToInt(Map::size).sum();
    }

    Map<String, String> merged() {
      Map<String, String> all = new HashMap<>();
      batches.forEach(all::putAll);
      return all;
    }
  }

  private String stream(String name) {
    return nodes.namespace() + ":wb:{" + name + "}";
  }

  private String redis(String... command) {
    return String.valueOf(nodes.redis().command(command));
  }

  private static double count(Tierstate node, String meter) {
    return node.metrics().registry().get(meter).tag("name", "orders").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static double gauge(Tierstate node, String meter) {
    return node.metrics().registry().get(meter).tag("name", "orders").gauge().value();
  }

  @Test
  void valuesAreCachedAtOnceAndRepeatedWritesCoalesceToTheLatest() {
    Tierstate a = nodes.start("a");
    Recorder recorder = new Recorder();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            recorder,
            WriteBehindOptions.defaults()
                .withBatchSize(50)
                .withFlushInterval(Duration.ofSeconds(5)));

    for (int i = 0; i < 10; i++) {
      orders.write("order:" + i, "v1", TTL);
    }
    orders.write("order:0", "v2", TTL);
    orders.write("order:0", "v3", TTL);

    assertThat(a.cache().get("order:0", String.class)).contains("v3");
    assertThat(a.cache().get("order:9", String.class)).contains("v1");
    assertThat(recorder.batches).as("nothing written before the flush interval").isEmpty();
    Await.until(
        "the queue depth gauge shows 12 entries",
        () -> gauge(a, MeterNames.WRITE_BEHIND_QUEUE_DEPTH) == 12);
    assertThat(gauge(a, MeterNames.WRITE_BEHIND_LAG)).isGreaterThanOrEqualTo(0);

    orders.flush();

    assertThat(recorder.batches).hasSize(1);
    assertThat(recorder.batches.get(0))
        .hasSize(10)
        .containsEntry("order:0", "v3")
        .containsEntry("order:9", "v1");
    assertThat(redis("XLEN", stream("orders"))).isEqualTo("0");
    assertThat(count(a, MeterNames.WRITE_BEHIND_DELIVERED)).isEqualTo(10);
    assertThat(count(a, MeterNames.WRITE_BEHIND_BATCHES)).isEqualTo(1);
  }

  @Test
  void entriesReachTheWriterInBatchesOfAtMostBatchSizeWithinTheFlushInterval() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Recorder onA = new Recorder();
    Recorder onB = new Recorder();
    WriteBehindOptions options =
        WriteBehindOptions.defaults().withBatchSize(10).withFlushInterval(Duration.ofMillis(200));
    WriteBehind<String> fromA = a.writeBehind("orders", String.class, onA, options);
    WriteBehind<String> fromB = b.writeBehind("orders", String.class, onB, options);

    for (int i = 0; i < 60; i++) {
      (i % 2 == 0 ? fromA : fromB).write("order:" + i, "value-" + i, TTL);
    }

    Await.until("60 entries written", () -> onA.entries() + onB.entries() == 60);
    Map<String, String> all = new HashMap<>(onA.merged());
    all.putAll(onB.merged());
    assertThat(all).hasSize(60).containsEntry("order:59", "value-59");
    assertThat(onA.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(10));
    assertThat(onB.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(10));
    assertThat(onA.batches.size() + onB.batches.size()).isGreaterThanOrEqualTo(6);
    Await.until("the stream is empty", () -> redis("XLEN", stream("orders")).equals("0"));
  }

  @Test
  void entriesOfADeadNodeReadOrNotAreDeliveredByAnotherNode() throws Exception {
    Tierstate a = nodes.start("a");
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger callsOnA = new AtomicInteger();
    // a reads its first batch and hangs inside the writer: those entries are pending, never acked
    WriteBehind<String> onA =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              callsOnA.incrementAndGet();
              never.await();
            },
            WriteBehindOptions.defaults()
                .withBatchSize(10)
                .withFlushInterval(Duration.ofSeconds(10))
                .withClaimIdle(Duration.ofMillis(500)));
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      onA.write("order:" + i, "value-" + i, TTL);
      expected.put("order:" + i, "value-" + i);
    }
    Await.until("a holds a batch", () -> callsOnA.get() == 1);
    assertThat(redis("XPENDING", stream("orders"), "writers").lines().findFirst()).contains("10");

    ((RedisWriteBehind<?>) onA).abandon(); // a crashes: 10 entries read and pending, 20 never read

    Tierstate b = nodes.start("b");
    Recorder onB = new Recorder();
    b.writeBehind(
        "orders",
        String.class,
        onB,
        WriteBehindOptions.defaults()
            .withBatchSize(10)
            .withFlushInterval(Duration.ofMillis(100))
            .withClaimIdle(Duration.ofMillis(500)));

    Await.until("b delivers all 30", () -> onB.merged().size() == 30);
    assertThat(onB.merged()).isEqualTo(expected);
    assertThat(onB.entries()).as("each entry once").isEqualTo(30);
    assertThat(count(b, MeterNames.WRITE_BEHIND_CLAIMED)).isEqualTo(10);
    Await.until("the stream is empty", () -> redis("XLEN", stream("orders")).equals("0"));
    assertThat(redis("XPENDING", stream("orders"), "writers").lines().findFirst()).contains("0");
    assertThat(callsOnA).hasValue(1);
  }

  @Test
  void aNodeRestartedWithTheSameIdDeliversWhatItHadRead() {
    Tierstate a = nodes.start("a");
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    WriteBehind<String> first =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              calls.incrementAndGet();
              never.await();
            },
            WriteBehindOptions.defaults()
                .withBatchSize(5)
                .withFlushInterval(Duration.ofMillis(50)));
    for (int i = 0; i < 5; i++) {
      first.write("order:" + i, "value-" + i, TTL);
    }
    Await.until("a holds a batch", () -> calls.get() == 1);
    ((RedisWriteBehind<?>) first).abandon();

    Recorder recorder = new Recorder();
    a.writeBehind("orders", String.class, recorder, WriteBehindOptions.defaults());

    Await.until("the pending batch is delivered", () -> recorder.entries() == 5);
    assertThat(recorder.merged()).containsEntry("order:4", "value-4").hasSize(5);
  }

  @Test
  void aWriterThatFailsTwiceGetsTheSameBatchAgainAndNothingIsLostOrWrittenTwice() {
    Tierstate a = nodes.start("a");
    List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
    List<String> succeeded = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(2);
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              calls.add(new LinkedHashMap<>(batch));
              if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("database busy");
              }
              batch.forEach((key, value) -> succeeded.add(key + "=" + value));
            },
            WriteBehindOptions.defaults()
                .withBatchSize(100)
                .withFlushInterval(Duration.ofSeconds(5))
                .withBackoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100)));
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String key = "order:" + (i % 20);
      orders.write(key, "value-" + i, TTL);
      expected.put(key, "value-" + i);
    }

    orders.flush();
    orders.flush(); // nothing left: no second delivery

    assertThat(calls).hasSize(3);
    assertThat(calls.get(0)).isEqualTo(calls.get(1)).isEqualTo(calls.get(2)).isEqualTo(expected);
    assertThat(succeeded).hasSize(20).doesNotHaveDuplicates();
    assertThat(count(a, MeterNames.WRITE_BEHIND_RETRIES)).isEqualTo(2);
    assertThat(count(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isZero();
    assertThat(redis("XLEN", stream("orders"))).isEqualTo("0");
    // order:19's latest value was the 40th write, order:0's the 21st: versions follow the order
    // in which Redis accepted the writes
    assertThat(Long.parseLong(redis("HGET", stream("orders") + ":written", "order:19")))
        .isGreaterThan(Long.parseLong(redis("HGET", stream("orders") + ":written", "order:0")));
  }

  @Test
  void recordsOfSettledKeysAreTrimmedAfterTheRetentionAndLaterWritesStillGetNewerVersions() {
    Tierstate a = nodes.start("a");
    Recorder recorder = new Recorder();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            recorder,
            WriteBehindOptions.defaults()
                .withFlushInterval(Duration.ofSeconds(30))
                .withSettledRetention(Duration.ofMillis(200)));
    for (int i = 0; i < 50; i++) {
      orders.write("order:" + i, "value-" + i, TTL);
    }
    orders.flush(); // one batch, settled at one instant
    assertThat(redis("HLEN", stream("orders") + ":written")).isEqualTo("50");
    long trimmedVersion = Long.parseLong(redis("HGET", stream("orders") + ":written", "order:49"));

    // each settlement trims what is past the retention: later writes to other keys clear the old
    // ones
    Await.until(
        "the old records are trimmed",
        () -> {
          orders.write("order:new", "fresh", TTL);
          orders.flush();
          return redis("HLEN", stream("orders") + ":written").equals("1");
        },
        Duration.ofSeconds(10));
    assertThat(redis("ZCARD", stream("orders") + ":settled-at")).isEqualTo("1");
    assertThat(redis("HLEN", stream("orders") + ":handed")).isEqualTo("1");
    assertThat(redis("EXISTS", stream("orders") + ":versions")).isEqualTo("0");

    // a trimmed key written again is newer than anything written for it before, and is delivered
    orders.write("order:7", "value-7-again", TTL);
    orders.flush();
    assertThat(recorder.batches.get(recorder.batches.size() - 1))
        .containsEntry("order:7", "value-7-again");
    assertThat(Long.parseLong(redis("HGET", stream("orders") + ":written", "order:7")))
        .isGreaterThan(trimmedVersion);
  }

  @Test
  void aPermanentlyFailingWriterEndsInTheDeadLetterStream() {
    Tierstate a = nodes.start("a");
    AtomicInteger calls = new AtomicInteger();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              calls.incrementAndGet();
              throw new IllegalStateException("database down");
            },
            WriteBehindOptions.defaults()
                .withMaxRetries(2)
                .withBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50)));
    orders.write("order:1", "one", TTL);
    orders.write("order:2", "two", TTL);
    orders.write("order:2", "two-again", TTL);

    orders.flush();

    assertThat(calls).hasValue(3);
    String dead = stream("orders") + ":dead";
    assertThat(redis("XLEN", dead)).isEqualTo("2");
    String content = redis("XRANGE", dead, "-", "+");
    assertThat(content)
        .contains("order:1", "order:2", "database down", "two-again")
        .doesNotContain("\"two\"");
    assertThat(redis("XLEN", stream("orders"))).isEqualTo("0");
    assertThat(count(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isEqualTo(2);
  }

  /** pgjdbc under -ea fails an assert on a connection the server closed, instead of throwing. */
  @Test
  void aWriterThatThrowsAnAssertionErrorIsRetriedAndDeliveriesGoOn() {
    Tierstate a = nodes.start("a");
    AtomicInteger calls = new AtomicInteger();
    Map<String, String> table = new ConcurrentHashMap<>();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              if (calls.incrementAndGet() == 1) {
                throw new AssertionError("a driver's assert");
              }
              table.putAll(batch);
            },
            WriteBehindOptions.defaults()
                .withBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50)));
    orders.write("order:1", "one", TTL);
    orders.flush();
    orders.write("order:2", "two", TTL);
    orders.flush();

    assertThat(table).containsEntry("order:1", "one").containsEntry("order:2", "two");
    assertThat(calls).hasValue(3);
    assertThat(redis("XLEN", stream("orders") + ":dead")).isEqualTo("0");
  }

  @Test
  void aWriterWhoseTargetStaysUnreachableBeyondTheOutageToleranceIsDeadLetteredNamingTheOutage() {
    Tierstate a = nodes.start("a");
    AtomicInteger calls = new AtomicInteger();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              calls.incrementAndGet();
              throw new SQLTransientConnectionException("Connection is not available");
            },
            WriteBehindOptions.defaults()
                .withMaxRetries(0) // unreachable failures do not count against it
                .withBackoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100))
                .withOutageTolerance(Duration.ofSeconds(1)));
    orders.write("order:1", "one", TTL);
    long started = System.nanoTime();

    Await.until(
        "health says the writer's target is unreachable",
        () ->
            a.metrics()
                .healthCheck()
                .check("writebehind.writer")
                .orElseThrow()
                .message()
                .contains("write-behind 'orders': writer target unreachable for"));
    orders.flush();

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(calls.get()).as("retried through the tolerance").isGreaterThan(5);
    String dead = stream("orders") + ":dead";
    assertThat(redis("XLEN", dead)).isEqualTo("1");
    assertThat(redis("XRANGE", dead, "-", "+"))
        .contains("order:1")
        .contains("the batch writer's target was unreachable for")
        .contains("longer than outageTolerance PT1S")
        .contains("Connection is not available");
    assertThat(count(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isEqualTo(1);
    assertThat(count(a, MeterNames.WRITE_BEHIND_RETRIES)).isEqualTo(calls.get() - 1);
    assertThat(gauge(a, MeterNames.WRITE_BEHIND_UNREACHABLE)).isZero();
    assertThat(a.metrics().healthCheck().check("writebehind.writer").orElseThrow().status())
        .isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void rejectionsCountAgainstMaxRetriesWhateverUnreachableFailuresCameBetween() {
    Tierstate a = nodes.start("a");
    // unreachable, rejected, unreachable x3, rejected: the second rejection exceeds maxRetries 1
    List<Exception> failures =
        List.of(
            new SQLTransientConnectionException("pool timeout"),
            new SQLException("duplicate key", "23505"),
            new SQLException("terminating connection", "57P01"),
            new SQLTransientConnectionException("pool timeout"),
            new SQLTransientConnectionException("pool timeout"),
            new SQLException("value too long", "22001"));
    AtomicInteger calls = new AtomicInteger();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              int call = calls.getAndIncrement();
              if (call < failures.size()) {
                throw failures.get(call);
              }
            },
            WriteBehindOptions.defaults()
                .withMaxRetries(1)
                .withBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50)));
    orders.write("order:1", "one", TTL);

    orders.flush();

    assertThat(calls).hasValue(6);
    assertThat(redis("XRANGE", stream("orders") + ":dead", "-", "+"))
        .contains("order:1", "value too long")
        .doesNotContain("outageTolerance");
    assertThat(count(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isEqualTo(1);
  }

  @Test
  void closingTheNodeWritesWhatWasQueued() {
    Tierstate a = nodes.start("a");
    Recorder recorder = new Recorder();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            recorder,
            WriteBehindOptions.defaults().withFlushInterval(Duration.ofSeconds(30)));
    for (int i = 0; i < 7; i++) {
      orders.write("order:" + i, "value-" + i, TTL);
    }

    a.close();

    assertThat(recorder.entries()).isEqualTo(7);
    assertThat(redis("XLEN", stream("orders"))).isEqualTo("0");
    assertThatThrownBy(() -> orders.write("order:8", "late", TTL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void whileRedisIsUnavailableWriteThroughCallsTheWriterAndRejectThrows() {
    try (RedisServer own = RedisServer.start();
        Nodes isolated = new Nodes(own)) {
      Tierstate a = isolated.start("a");
      Map<String, Thread> writtenThrough = new ConcurrentHashMap<>();
      Recorder through = new Recorder();
      WriteBehind<String> writeThrough =
          a.writeBehind(
              "through",
              String.class,
              batch -> {
                batch.keySet().forEach(key -> writtenThrough.put(key, Thread.currentThread()));
                through.write(batch);
              },
              WriteBehindOptions.defaults());
      AtomicInteger rejectedCalls = new AtomicInteger();
      WriteBehind<String> reject =
          a.writeBehind(
              "reject",
              String.class,
              batch -> rejectedCalls.incrementAndGet(),
              WriteBehindOptions.defaults().withWhenRedisUnavailable(WhenRedisUnavailable.REJECT));

      own.stop();
      Await.until("a sees Redis down", () -> !a.redisAvailable());

      writeThrough.write("user:1", "alice", TTL);
      assertThat(through.batches).containsExactly(Map.of("user:1", "alice"));
      assertThat(writtenThrough).containsEntry("user:1", Thread.currentThread());
      assertThat(a.cache().get("user:1", String.class)).contains("alice");

      assertThatThrownBy(() -> reject.write("user:2", "bob", TTL))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("reject")
          .hasMessageContaining("user:2");
      assertThat(rejectedCalls).hasValue(0);
      assertThat(a.cache().get("user:2", String.class)).isEqualTo(Optional.empty());
    }
  }

  @Test
  void badArgumentsAreRejectedWithTheirNames() {
    Tierstate a = nodes.start("a");
    assertThatThrownBy(
            () ->
                a.writeBehind("bad name", String.class, batch -> {}, WriteBehindOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name");
    a.writeBehind("orders", String.class, batch -> {}, WriteBehindOptions.defaults());
    assertThatThrownBy(
            () -> a.writeBehind("orders", String.class, batch -> {}, WriteBehindOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already open");
    assertThatThrownBy(() -> WriteBehindOptions.defaults().withBatchSize(0))
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> WriteBehindOptions.defaults().withClaimIdle(Duration.ZERO))
        .hasMessageContaining("claimIdle");
    assertThatThrownBy(
            () -> WriteBehindOptions.defaults().withSettledRetention(Duration.ofSeconds(-1)))
        .hasMessageContaining("settledRetention");
    assertThatThrownBy(
            () ->
                WriteBehindOptions.defaults()
                    .withBackoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)))
        .hasMessageContaining("backoff max");
    assertThat(WriteBehindOptions.defaults().backoffBefore(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(WriteBehindOptions.defaults().backoffBefore(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(WriteBehindOptions.defaults().backoffBefore(20)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anOlderVersionClaimedFromADeadNodeNeverOverwritesANewerOneAlreadyWritten() {
    Tierstate a = nodes.start("a");
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger callsOnA = new AtomicInteger();
    WriteBehind<String> onA =
        a.writeBehind(
            "orders",
            String.class,
            batch -> {
              callsOnA.incrementAndGet();
              never.await();
            },
            WriteBehindOptions.defaults().withBatchSize(1).withClaimIdle(Duration.ofMillis(500)));
    onA.write("order:1", "old", TTL);
    Await.until("a holds version 1", () -> callsOnA.get() == 1);
    ((RedisWriteBehind<?>) onA).abandon();

    Tierstate b = nodes.start("b");
    Recorder onB = new Recorder();
    // b writes version 2 first, and only later claims a's version 1
    WriteBehind<String> fromB =
        b.writeBehind(
            "orders",
            String.class,
            onB,
            WriteBehindOptions.defaults()
                .withFlushInterval(Duration.ofMillis(50))
                .withClaimIdle(Duration.ofSeconds(3)));
    fromB.write("order:1", "new", TTL);
    fromB.flush();
    assertThat(onB.batches).containsExactly(Map.of("order:1", "new"));

    Await.until(
        "b claimed and settled a's entry",
        () -> redis("XLEN", stream("orders")).equals("0"),
        Duration.ofSeconds(15));
    assertThat(onB.batches)
        .as("version 1 dropped, not written over version 2")
        .containsExactly(Map.of("order:1", "new"));
    assertThat(count(b, MeterNames.WRITE_BEHIND_CLAIMED)).isEqualTo(1);
  }

  /** Every entry handed to a versioned writer, in order, across nodes. */
  static final class Handed {
    final List<WriteBehindEntry<String>> entries = new CopyOnWriteArrayList<>();

    BatchWriter<String> writer() {
      return BatchWriter.versioned(entries::addAll);
    }

    List<String> values(String key) {
      return entries.stream()
          .filter(e -> e.key().equals(key))
          .map(WriteBehindEntry::value)
          .toList();
    }

    List<Long> versions(String key) {
      return entries.stream()
          .filter(e -> e.key().equals(key))
          .map(WriteBehindEntry::version)
          .toList();
    }
  }

  /**
   * Issue 16, defect 6, cause (a): an append whose reply never came (the command reached Redis
   * late) fell back to WRITE_THROUGH, and Redis ran it later and delivered it after a newer value.
   */
  @Test
  void aTimedOutAppendThatReachesRedisLateIsRefusedNotDeliveredAfterANewerWriteThrough() {
    try (FaultProxy proxy = FaultProxy.to("127.0.0.1", nodes.redis().port())) {
      Tierstate a = nodes.start("a", config -> config.redisUrl(proxy.redisUri()));
      Handed handed = new Handed();
      WriteBehind<String> orders =
          a.writeBehind(
              "orders",
              String.class,
              handed.writer(),
              WriteBehindOptions.defaults().withFlushInterval(Duration.ofMillis(50)));
      orders.write("order:1", "v1", TTL);
      orders.flush();

      // commands reach neither Redis nor a reply: the appends of v2 and v3 are held in the network
      proxy.blackhole(FaultProxy.Direction.CLIENT_TO_SERVER);
      orders.write("order:1", "v2", TTL); // times out, then written through
      orders.write("order:1", "v3", TTL);
      assertThat(handed.values("order:1")).containsExactly("v1", "v2", "v3");

      proxy.heal(); // the held appends reach Redis now, past their deadline
      Await.until("a reaches Redis again", a::redisAvailable, Duration.ofSeconds(15));
      orders.flush();
      assertThat(handed.values("order:1"))
          .as("a held append is not delivered after the newer value written through")
          .containsExactly("v1", "v2", "v3");
      assertThat(redis("XLEN", stream("orders"))).isEqualTo("0");

      orders.write("order:1", "v4", TTL);
      orders.flush();
      assertThat(handed.values("order:1")).containsExactly("v1", "v2", "v3", "v4");
      assertThat(handed.versions("order:1")).isSorted().doesNotHaveDuplicates();
      assertThat(count(a, MeterNames.WRITE_BEHIND_WRITES)).isEqualTo(4);
    }
  }

  /**
   * Issue 16, defect 6, cause (b): a batch retried after its backoff was checked against what was
   * written only before its first attempt, so it wrote an older value over the newer one another
   * node had written meanwhile.
   */
  @Test
  void aBatchRetriedAfterAnotherNodeWroteANewerVersionLeavesThatKeyOut() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    Handed handed = new Handed();
    CountDownLatch aCalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger callsOnA = new AtomicInteger();
    WriteBehind<String> onA =
        a.writeBehind(
            "orders",
            String.class,
            BatchWriter.versioned(
                entries -> {
                  if (callsOnA.incrementAndGet() == 1) {
                    handed.entries.addAll(entries);
                    aCalled.countDown();
                    release.await();
                    throw new IllegalStateException("database busy");
                  }
                  handed.entries.addAll(entries);
                }),
            WriteBehindOptions.defaults()
                .withFlushInterval(Duration.ofMillis(50))
                .withBackoff(Duration.ofMillis(20), 2.0, Duration.ofMillis(100)));
    onA.write("order:1", "old", TTL);
    assertThat(aCalled.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // a is inside its writer call with "old": b reads and writes the newer value meanwhile
    WriteBehind<String> onB =
        b.writeBehind(
            "orders",
            String.class,
            handed.writer(),
            WriteBehindOptions.defaults().withFlushInterval(Duration.ofMillis(50)));
    onB.write("order:1", "new", TTL);
    onB.flush();
    assertThat(handed.values("order:1")).containsExactly("old", "new");

    release.countDown(); // a's attempt fails; its retry must leave order:1 out
    Await.until("a settled its batch", () -> redis("XLEN", stream("orders")).equals("0"));
    onA.flush();
    assertThat(handed.values("order:1"))
        .as("the retry did not hand the older value after the newer one")
        .containsExactly("old", "new");
    assertThat(callsOnA).hasValue(1);
    assertThat(count(a, MeterNames.WRITE_BEHIND_RETRIES)).isEqualTo(1);
    assertThat(count(a, MeterNames.WRITE_BEHIND_DEAD_LETTERS)).isZero();
  }

  /**
   * A failover to a replica that had not received the last appends loses them; the write-behind
   * cannot bring them back, but counts them, and later writes still get newer versions than any it
   * handed out before.
   */
  @Test
  void appendsRedisLostAreCountedAndLaterVersionsStayNewer() {
    Tierstate a = nodes.start("a");
    Handed handed = new Handed();
    WriteBehind<String> orders =
        a.writeBehind(
            "orders",
            String.class,
            handed.writer(),
            WriteBehindOptions.defaults().withFlushInterval(Duration.ofMillis(50)));
    orders.write("order:1", "written", TTL);
    orders.flush();
    long writtenVersion = handed.versions("order:1").get(0);
    for (int i = 0; i < 5; i++) {
      orders.write("order:lost" + i, "v", TTL);
    }
    // what a replica that missed the last commands would have: no stream, an older sequence
    redis("DEL", stream("orders"), stream("orders") + ":seq");

    Await.until(
        "a counts the writes Redis lost",
        () -> count(a, MeterNames.WRITE_BEHIND_POSSIBLY_LOST) > 0,
        Duration.ofSeconds(10));
    assertThat(count(a, MeterNames.WRITE_BEHIND_POSSIBLY_LOST))
        .as("the writes acknowledged after the last one Redis still had, at most")
        .isBetween(5.0, 6.0);

    orders.write("order:1", "after", TTL);
    orders.flush();
    assertThat(handed.values("order:1")).endsWith("after");
    assertThat(handed.versions("order:1")).hasSize(2).isSorted().doesNotHaveDuplicates();
    assertThat(handed.versions("order:1").get(1)).isGreaterThan(writtenVersion);
  }
}
