package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseWaitersUnitTests {
  private final LeaseWaiters waiters = new LeaseWaiters();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aWaiterNobodyWakesWaitsForTheLeaseAndTheSlackThenAsksAgain() {
    CompletableFuture<Void> woken = waiters.register("k");
    long start = System.nanoTime();

    LeaseWaiters.await(woken, 100, TimeUnit.SECONDS.toNanos(10));

    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited)
        .isBetween(
            Duration.ofMillis(100 + LeaseWaiters.LEASE_EXPIRY_SLACK_MILLIS),
            Duration.ofMillis(100 + LeaseWaiters.LEASE_EXPIRY_SLACK_MILLIS + 2_000));
  }

  @Test
  void theOverallDeadlineCutsTheWaitShort() {
    CompletableFuture<Void> woken = waiters.register("k");
    long start = System.nanoTime();

    LeaseWaiters.await(woken, 60_000, TimeUnit.MILLISECONDS.toNanos(50));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theHoldersLogEntryWakesTheWaiterAtOnceAndRemovesIt() {
    CompletableFuture<Void> woken = waiters.register("k");
    assertThat(waiters.register("k")).as("one waiter per key, shared").isSameAs(woken);
    scheduler.schedule(() -> waiters.wake("k"), 20, TimeUnit.MILLISECONDS);
    long start = System.nanoTime();

    LeaseWaiters.await(woken, 60_000, TimeUnit.SECONDS.toNanos(60));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(waiters.isWaiting("k")).isFalse();
  }

  @Test
  void forgettingAnOldWaiterLeavesANewerOneInPlace() {
    CompletableFuture<Void> old = waiters.register("k");
    waiters.wake("k");
    CompletableFuture<Void> newer = waiters.register("k");

    waiters.forget("k", old);

    assertThat(waiters.isWaiting("k")).isTrue();
    waiters.forget("k", newer);
    assertThat(waiters.isWaiting("k")).isFalse();
  }
}
