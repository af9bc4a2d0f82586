package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheLoader;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import io.tierstate.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load protocol against an in-memory L2: single flight, the lease, waiting, fences and
 * fallbacks.
 */
class LoadCoordinatorUnitTests {
  private static final Duration LEASE = Duration.ofMillis(500);
  private static final Duration DEGRADED_TTL = Duration.ofSeconds(2);
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private static final TypeRef<String> STRING = TypeRef.of(String.class);

  private final TierstateConfig config =
      TierstateConfig.builder()
          .nodeId("this-node")
          .loadLeaseTtl(LEASE)
          .degradedL1Ttl(DEGRADED_TTL)
          .build();
  private final CacheMeters meters = new CacheMeters(new SimpleMeterRegistry());
  private final L1 l1 = new L1(1_000, Duration.ofHours(1), DEGRADED_TTL, meters);
  private final FakeL2 l2 = new FakeL2();
  private final LeaseWaiters waiters = new LeaseWaiters();
  private final JacksonCodec codec = JacksonCodec.create();
  private final EntryCodec entries =
      new EntryCodec(config, codec, meters, new Regions(meters.registry, 4));
  private final ExecutorService refresher = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final List<String> unsettled = new CopyOnWriteArrayList<>();
  private final LoadCoordinator loads =
      new LoadCoordinator(
          config, l1, l2, entries, meters, waiters, refresher, scheduler, unsettled::add);
  private final InvalidationEvents events = new InvalidationEvents(meters);
  private final InvalidationReceiver receiver =
      new InvalidationReceiver(
          l1,
          l2,
          waiters,
          new InvalidationSender(l1, l2, meters, events, "this-node"),
          events,
          meters,
          "this-node");

  @AfterEach
  void stop() {
    callers.shutdownNow();
    scheduler.shutdownNow();
    refresher.shutdownNow();
  }

  private String load(String key, CacheLoader<String> loader) {
    return loads.load(key, STRING, loader, MINUTE, null);
  }

  private Object inL1(String key) {
    L1Entry entry = l1.get(key, System.nanoTime());
    return entry == null ? "(none)" : entry.value;
  }

  /**
   * Found by the fault suite (Redis paused under load): a fill whose answer timed out ran when
   * Redis resumed, after a tag invalidation the filler never saw, and stayed stale in L2 until its
   * TTL.
   */
  @Test
  void aFillWhoseAnswerIsLostIsInvalidatedOnceRedisIsBack() {
    l2.fillAnswerLost = true;

    assertThat(load("k", () -> "v1")).isEqualTo("v1");

    assertThat(l2.log).as("the fill reached the fake Redis").contains("f:k");
    assertThat(unsettled).as("the key is held back for invalidation").containsExactly("k");
    L1Entry entry = l1.get("k", System.nanoTime());
    assertThat(entry).isNotNull();
    assertThat(entry.value).as("served on this node meanwhile").isEqualTo("v1");
  }

  /**
   * Found by the fault suite (defect 7: Redis paused under load). While Redis was paused, a node
   * loaded a tagged row into its L1 only; after the heal another node updated the row's group and
   * invalidated the tag. That node's log entry named the keys L2 held under the tag, and this row
   * was not among them (it never reached L2), so the first node served the old row until the
   * degraded TTL, seconds after it had received the invalidation.
   */
  @Test
  void aValueLoadedWithoutRedisIsDroppedByAPeersTagInvalidationThatDoesNotNameIt() {
    l2.unavailable = true;
    assertThat(loads.load("k", STRING, () -> "v1", MINUTE.tags("grp"), null)).isEqualTo("v1");
    assertThat(loads.load("j", STRING, () -> "w1", MINUTE.tags("other"), null)).isEqualTo("w1");
    assertThat(inL1("k")).as("served from L1 while Redis is away").isEqualTo("v1");
    l2.unavailable = false;

    receiver.onEntry(LogEntry.keys("other-node", List.of("named-by-l2"), List.of("grp")));

    assertThat(inL1("k")).isEqualTo("(none)");
    assertThat(inL1("j")).as("another tag's entry stays").isEqualTo("w1");
  }

  /** The same invalidation arriving while such a load runs: its value is not cached. */
  @Test
  void aValueLoadedWithoutRedisWhileAPeersTagInvalidationArrivesIsNotCached() {
    l2.unavailable = true;
    CacheLoader<String> loader =
        () -> {
          // The row was read before the peer's write; its invalidation arrives before the install.
          receiver.onEntry(LogEntry.keys("other-node", List.of("named-by-l2"), List.of("grp")));
          return "v1";
        };

    assertThat(loads.load("k", STRING, loader, MINUTE.tags("grp"), null))
        .as("its own caller still gets the value (its read began before the write)")
        .isEqualTo("v1");

    assertThat(inL1("k")).isEqualTo("(none)");
  }

  @Test
  void aFillThatRedisAnsweredLeavesNothingHeldBack() {
    assertThat(load("k", () -> "v1")).isEqualTo("v1");
    assertThat(unsettled).isEmpty();
  }

  @Test
  void aMissLoadsUnderTheLeaseAndFillsBothTiers() {
    String value = load("k", () -> "loaded");

    assertThat(value).isEqualTo("loaded");
    assertThat(inL1("k")).isEqualTo("loaded");
    assertThat(l2.value("k")).isNotNull();
    assertThat(l2.lease("k")).as("the fill gives the lease up").isNull();
    assertThat(l2.log).containsExactly("f:k");
  }

  @Test
  void concurrentCallersOnThisNodeShareOneLoad() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(
          callers.submit(
              () ->
                  load(
                      "k",
                      () -> {
                        runs.incrementAndGet();
                        release.await();
                        return "loaded";
                      })));
    }
    Await.until("a loader runs", () -> runs.get() == 1);
    release.countDown();

    for (Future<String> result : results) {
      assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
    }
    assertThat(runs).hasValue(1);
  }

  @Test
  void aCallerWaitsForAnotherNodesLoadAndServesItsValue() throws Exception {
    l2.holdLease("k", "other-node:1");
    AtomicInteger runs = new AtomicInteger();
    Future<String> waiting =
        callers.submit(() -> load("k", () -> "loaded here #" + runs.incrementAndGet()));
    Await.until("the caller waits for the lease", () -> waiters.isWaiting("k"));

    // The other node fills: its value, its lease gone, and its log entry wakes the waiter.
    l2.write("k", entries.prepare("k", "theirs", MINUTE, STRING).bytes());
    l2.releaseAndLog("k", "other-node:1");
    waiters.wake("k");

    assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("theirs");
    assertThat(runs).hasValue(0);
    assertThat(waiters.isWaiting("k")).isFalse();
  }

  @Test
  void aWaiterThatIsInterruptedLeavesNoWaiterBehind() throws Exception {
    l2.holdLease("k", "other-node:1");
    l2.leasePttlMillis = 60_000;
    AtomicReference<Thread> caller = new AtomicReference<>();
    Future<String> waiting =
        callers.submit(
            () -> {
              caller.set(Thread.currentThread());
              return load("k", () -> "loaded here");
            });
    Await.until(
        "the caller waits for the lease",
        () ->
            caller.get() != null
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
    assertThat(waiters.isWaiting("k")).isFalse();
  }

  @Test
  void aLeaseRequestThatFailsLoadsLocallyAndLeavesNoWaiterBehind() {
    l2.unavailableOnAcquire = true;

    assertThat(load("k", () -> "loaded here")).isEqualTo("loaded here");
    assertThat(waiters.isWaiting("k")).isFalse();
    assertThat(l2.value("k")).isNull();
  }

  @Test
  void aHolderThatNeverFillsCostsAtMostMaxWaitInLeases() {
    l2.holdLease("k", "hung-node:1"); // renewed for ever, never filled, never released
    l2.leasePttlMillis = LEASE.toMillis();
    long start = System.nanoTime();

    String value = load("k", () -> "loaded here");

    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(value).isEqualTo("loaded here");
    assertThat(waited)
        .isBetween(
            LEASE.multipliedBy(LeaseWaiters.MAX_WAIT_IN_LEASES),
            LEASE.multipliedBy(LeaseWaiters.MAX_WAIT_IN_LEASES).plusSeconds(2));
    assertThat(l2.value("k")).as("loaded without the lease, so not filled").isNull();
  }

  @Test
  void aFillFencedByANewerWriteServesItsValueButCachesNothing() {
    byte[] newer = entries.prepare("k", "newer", MINUTE, STRING).bytes();

    String value =
        load(
            "k",
            () -> {
              l2.write("k", newer); // a write lands while the loader reads the source of truth
              return "older";
            });

    assertThat(value).isEqualTo("older");
    assertThat(l2.value("k")).isEqualTo(newer);
    assertThat(inL1("k")).isEqualTo("(none)");
    assertThat(meters.fillsFenced.count()).isEqualTo(1);
  }

  @Test
  void aFailingLoaderServesTheStaleL2ValueInsideItsStaleIfErrorWindow() {
    long now = System.currentTimeMillis();
    Envelope expired =
        new Envelope(
            false,
            codec.id(),
            now - 2_000,
            now - 1_000,
            now - 1_000,
            now + 60_000,
            codec.encode("stale"));
    l2.write("k", expired.encode(Integer.MAX_VALUE, false));

    String value =
        load(
            "k",
            () -> {
              throw new IllegalStateException("database down");
            });

    assertThat(value).isEqualTo("stale");
    assertThat(meters.staleOnError.count()).isEqualTo(1);
    assertThat(l2.lease("k")).as("the failed load gave the lease up").isNull();
  }

  @Test
  void aFailingLoaderWithNothingStaleFailsTheCall() {
    assertThatThrownBy(
            () ->
                load(
                    "k",
                    () -> {
                      throw new IllegalStateException("database down");
                    }))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("database down");
    assertThat(l2.lease("k")).isNull();
  }

  @Test
  void withoutRedisTheLoadedValueLivesInL1AtMostTheDegradedTtl() {
    l2.unavailable = true;
    long start = System.nanoTime();

    assertThat(load("k", () -> "loaded here")).isEqualTo("loaded here");

    L1Entry entry = l1.get("k", System.nanoTime());
    assertThat(entry).isNotNull();
    assertThat(entry.lastUseNanos() - start)
        .isLessThanOrEqualTo(DEGRADED_TTL.toNanos() + Duration.ofSeconds(1).toNanos());
  }

  @Test
  void aStaleL2ValueInsideItsRevalidationWindowIsServedAndRefreshedOnceInTheBackground()
      throws Exception {
    long now = System.currentTimeMillis();
    Envelope stale =
        new Envelope(
            false,
            codec.id(),
            now - 2_000,
            now - 1_000,
            now + 60_000,
            now + 60_000,
            codec.encode("stale"));
    l2.write("k", stale.encode(Integer.MAX_VALUE, false));
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CacheLoader<String> loader =
        () -> {
          runs.incrementAndGet();
          release.await();
          return "fresh";
        };

    assertThat(load("k", loader)).isEqualTo("stale");
    Await.until("the refresh runs", () -> runs.get() == 1);
    // A second stale read while the refresh runs starts no second one.
    l1.invalidate("k");
    assertThat(load("k", loader)).isEqualTo("stale");
    release.countDown();

    Await.until("the refresh fills L2", () -> l2.logged().contains("f:k"));
    // The refresh's own L1 install was fenced by the invalidation above; L2 has the new value.
    l1.invalidate("k");
    assertThat(load("k", loader)).isEqualTo("fresh");
    assertThat(runs).hasValue(1);
    assertThat(meters.staleRevalidate.count()).isEqualTo(2);
    assertThat(l2.logged()).containsExactly("f:k");
  }

  @Test
  void aFailingLoaderServesTheExpiredL1EntryInsideItsStaleIfErrorWindow() {
    long nanos = System.nanoTime();
    long second = TimeUnit.SECONDS.toNanos(1);
    L1Entry staleL1 =
        new L1Entry(
            "stale in L1",
            STRING,
            nanos - 2 * second,
            nanos - second, // expired
            nanos - second, // past stale-while-revalidate
            nanos + 60 * second, // inside stale-if-error
            second,
            new String[0],
            null);

    String value =
        loads.load(
            "k",
            STRING,
            () -> {
              throw new IllegalStateException("database down");
            },
            MINUTE,
            staleL1);

    assertThat(value).isEqualTo("stale in L1");
    assertThat(meters.staleOnError.count()).isEqualTo(1);
    assertThat(l2.lease("k")).as("the failed load gave the lease up").isNull();
  }
}
