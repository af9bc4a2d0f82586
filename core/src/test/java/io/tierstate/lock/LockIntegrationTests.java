package io.tierstate.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

/** Locks across nodes: exclusion, fencing, leases, renewal, and what happens when holders die. */
class LockIntegrationTests {
  private static final Duration LONG = Duration.ofSeconds(10);
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

  @Test
  void threeNodesWithSeveralThreadsEachNeverHoldTheLockTogether() throws Exception {
    List<Tierstate> cluster = List.of(nodes.start("a"), nodes.start("b"), nodes.start("c"));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    // get-then-set is not atomic: two holders at once would lose an increment. (The atomic only
    // makes the reads fresh across threads; the lock alone must keep the updates apart.)
    AtomicInteger unsafeCounter = new AtomicInteger();
    List<Long> tokensInOrder = new CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 9; t++) {
      Tierstate node = cluster.get(t % 3);
      workers.add(
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < 8; i++) {
                  try (LockHandle lock =
                      node.locks().acquire("counter", Duration.ofSeconds(5), LONG)) {
                    mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    int read = unsafeCounter.get();
                    Thread.yield();
                    unsafeCounter.set(read + 1);
                    tokensInOrder.add(lock.fencingToken());
                    inside.decrementAndGet();
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> worker : workers) {
      worker.get(60, TimeUnit.SECONDS);
    }
    assertThat(mostInside).hasValue(1);
    assertThat(unsafeCounter).hasValue(72);
    assertThat(tokensInOrder).hasSize(72).isSorted().doesNotHaveDuplicates();
    double acquisitions =
        cluster.stream()
            .mapToDouble(
                n ->
                    n.metrics()
                        .registry()
                        .get(MeterNames.LOCK_ACQUISITIONS)
                        .tag("result", "acquired")
                        .counter()
                        .count())
            .sum();
    assertThat(acquisitions).isEqualTo(72);
  }

  @Test
  void fencingTokensStrictlyIncreaseAcrossNodes() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    long previous = 0;
    for (int i = 0; i < 10; i++) {
      Tierstate node = i % 2 == 0 ? a : b;
      try (LockHandle lock =
          node.locks().acquire("report", Duration.ofSeconds(5), Duration.ofSeconds(1))) {
        assertThat(lock.fencingToken()).isGreaterThan(previous);
        assertThat(lock.name()).isEqualTo("report");
        previous = lock.fencingToken();
      }
    }
  }

  @Test
  void tryAcquireReturnsEmptyWhileAnotherNodeHoldsTheLock() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    LockHandle held = a.locks().acquire("job", Duration.ofSeconds(5), Duration.ZERO);

    assertThat(b.locks().tryAcquire("job", Duration.ofSeconds(5))).isEmpty();
    assertThat(a.locks().tryAcquire("job", Duration.ofSeconds(5)))
        .as("locks are not reentrant")
        .isEmpty();

    assertThat(held.release()).isTrue();
    assertThat(held.isHeld()).isFalse();
    assertThat(held.release()).as("a second release").isFalse();
    Optional<LockHandle> next = b.locks().tryAcquire("job", Duration.ofSeconds(5));
    assertThat(next).isPresent();
    assertThat(next.get().fencingToken()).isGreaterThan(held.fencingToken());
    next.get().close();
  }

  @Test
  void acquireGivesUpAfterMaxWaitNamingTheLockAndTheWait() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    a.locks().acquire("busy", Duration.ofSeconds(10), Duration.ZERO);

    long start = System.nanoTime();
    assertThatThrownBy(
            () -> b.locks().acquire("busy", Duration.ofSeconds(1), Duration.ofMillis(300)))
        .isInstanceOf(LockTimeoutException.class)
        .hasMessageContaining("'busy'")
        .hasMessageContaining("PT0.3S");
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited).isBetween(Duration.ofMillis(300), Duration.ofMillis(1500));
    assertThat(
            b.metrics()
                .registry()
                .get(MeterNames.LOCK_ACQUISITIONS)
                .tag("result", "timeout")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void aCrashedHolderIsReplacedAfterItsLeaseAndNotBefore() {
    Tierstate doomed =
        Tierstate.create(nodes.config("doomed").build()); // closed here, not by nodes
    Tierstate b = nodes.start("b");
    long acquiredAt = System.nanoTime();
    doomed.locks().acquire("singleton", Duration.ofMillis(1000), Duration.ZERO);
    doomed.close(); // dies holding the lock: nothing releases it

    assertThat(b.locks().tryAcquire("singleton", Duration.ofSeconds(5))).isEmpty();
    try (LockHandle next =
        b.locks().acquire("singleton", Duration.ofSeconds(5), Duration.ofSeconds(5))) {
      Duration after = Duration.ofNanos(System.nanoTime() - acquiredAt);
      assertThat(after).isBetween(Duration.ofMillis(950), Duration.ofSeconds(3));
      assertThat(next.isHeld()).isTrue();
    }
  }

  @Test
  void aHolderWhoseLeaseExpiredKnowsItAndItsReleaseSparesTheNextHolder() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    LockHandle stale = a.locks().acquire("slow-job", Duration.ofMillis(200), Duration.ZERO);
    assertThat(stale.isHeld()).isTrue();
    Await.until("the short lease ends", () -> !stale.isHeld());

    LockHandle next = b.locks().acquire("slow-job", Duration.ofSeconds(10), Duration.ofSeconds(2));
    assertThat(stale.release()).isFalse();
    stale.close();

    assertThat(next.isHeld()).isTrue();
    assertThat(nodes.redis().command("GET", nodes.namespace() + ":lock:{slow-job}"))
        .startsWith("b:");
    assertThat(a.locks().tryAcquire("slow-job", Duration.ofSeconds(1))).isEmpty();
    assertThat(next.fencingToken()).isGreaterThan(stale.fencingToken());
    assertThat(
            a.metrics()
                .registry()
                .get(MeterNames.LOCK_LOSSES)
                .tag("cause", "expired")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(next.release()).isTrue();
  }

  @Test
  void autoRenewalKeepsTheLockPastSeveralLeases() throws Exception {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    AtomicReference<LockLossListener.Cause> lost = new AtomicReference<>();
    LockHandle lock =
        a.locks()
            .acquire(
                "leader",
                Duration.ofMillis(300),
                Duration.ZERO,
                LockOptions.autoRenew((handle, cause) -> lost.set(cause)));

    Thread.sleep(1200); // four leases
    assertThat(lock.isHeld()).isTrue();
    assertThat(b.locks().tryAcquire("leader", Duration.ofSeconds(1))).isEmpty();
    assertThat(lost).hasValue(null);

    assertThat(lock.release()).isTrue();
    assertThat(b.locks().tryAcquire("leader", Duration.ofSeconds(1))).isPresent();
    assertThat(lost).as("a release is not a loss").hasValue(null);
  }

  @Test
  void renewalFindingAnotherOwnerReportsTheLoss() {
    Tierstate a = nodes.start("a");
    AtomicReference<LockLossListener.Cause> lost = new AtomicReference<>();
    LockHandle lock =
        a.locks()
            .acquire(
                "stolen",
                Duration.ofMillis(600),
                Duration.ZERO,
                LockOptions.autoRenew((handle, cause) -> lost.set(cause)));
    // An operator (or a bug) hands the lock to someone else.
    nodes.redis().command("SET", nodes.namespace() + ":lock:{stolen}", "intruder", "PX", "10000");

    Await.until("the renewal notices", () -> lost.get() != null);
    assertThat(lost).hasValue(LockLossListener.Cause.NOT_OWNER);
    assertThat(lock.isHeld()).isFalse();
    assertThat(lock.release()).isFalse();
    assertThat(nodes.redis().command("GET", nodes.namespace() + ":lock:{stolen}"))
        .isEqualTo("intruder");
  }

  @Test
  void renewalFailureIsReportedWhenRedisDies() throws Exception {
    try (RedisServer redis = RedisServer.start();
        Nodes own = new Nodes(redis)) {
      Tierstate a = own.start("a");
      CountDownLatch reported = new CountDownLatch(1);
      AtomicReference<LockLossListener.Cause> lost = new AtomicReference<>();
      LockHandle lock =
          a.locks()
              .acquire(
                  "fragile",
                  Duration.ofMillis(600),
                  Duration.ZERO,
                  LockOptions.autoRenew(
                      (handle, cause) -> {
                        lost.set(cause);
                        reported.countDown();
                      }));
      assertThat(lock.isHeld()).isTrue();

      redis.kill();

      assertThat(reported.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(lost).hasValue(LockLossListener.Cause.REDIS_UNAVAILABLE);
      assertThat(lock.isHeld()).isFalse();
      assertThat(
              a.metrics()
                  .registry()
                  .get(MeterNames.LOCK_LOSSES)
                  .tag("cause", "redis_unavailable")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void withLockRunsTheTaskAndReleasesEvenWhenItThrows() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    String result =
        a.locks()
            .withLock(
                "task",
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                () -> {
                  assertThat(b.locks().tryAcquire("task", Duration.ofSeconds(1))).isEmpty();
                  return "done";
                });
    assertThat(result).isEqualTo("done");

    assertThatThrownBy(
            () ->
                a.locks()
                    .withLock(
                        "task",
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1),
                        () -> {
                          throw new java.io.IOException("disk full");
                        }))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("disk full");
    assertThat(b.locks().tryAcquire("task", Duration.ofSeconds(1))).isPresent();
  }

  @Test
  void badInputIsRefusedWithAMessageNamingIt() {
    LockService locks = nodes.start("a").locks();
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> locks.acquire("", second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lock name")
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> locks.acquire("two words", second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'two words'")
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> locks.tryAcquire("a{b}", second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a{b}'")
        .hasMessageContaining("'{'");
    assertThatThrownBy(() -> locks.tryAcquire("x".repeat(257), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("257 characters");
    assertThatThrownBy(() -> locks.acquire("ok", Duration.ZERO, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> locks.acquire("ok", Duration.ofDays(2), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease")
        .hasMessageContaining("PT48H");
    assertThatThrownBy(() -> locks.acquire("ok", second, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxWait")
        .hasMessageContaining("PT-0.001S");
    assertThat(locks.tryAcquire("x".repeat(256), second)).as("256 characters are fine").isPresent();
    assertThat(nodes.redis().command("EXISTS", nodes.namespace() + ":lock:{ok}")).isEqualTo("0");
  }
}
