package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.codec.TypeRef;
import io.tierstate.testing.Await;
import java.lang.Thread.State;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightUnitTests {
  private final SingleFlight flights = new SingleFlight();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  @Test
  void aFollowerGetsTheLeadersFailureAndTheNextCallRunsAgain() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Future<String> leader =
        callers.submit(
            () ->
                flights.run(
                    "k",
                    TypeRef.of(String.class),
                    () -> {
                      runs.incrementAndGet();
                      awaitQuietly(release);
                      throw new IllegalStateException("source down");
                    }));
    Await.until("the leader runs", () -> runs.get() == 1);
    AtomicReference<Thread> followerThread = new AtomicReference<>();
    Future<String> follower =
        callers.submit(
            () -> {
              followerThread.set(Thread.currentThread());
              return flights.run("k", TypeRef.of(String.class), () -> "ran its own load");
            });
    Await.until(
        "the follower waits for the leader",
        () -> followerThread.get() != null && followerThread.get().getState() == State.WAITING);
    release.countDown();

    assertThat(leader).failsWithin(5, TimeUnit.SECONDS);
    assertThat(follower)
        .failsWithin(5, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessage("source down");
    assertThat(runs).hasValue(1);
    assertThat(flights.run("k", TypeRef.of(String.class), () -> "again")).isEqualTo("again");
  }

  @Test
  void theSameKeyReadAsTwoTypesIsTwoFlights() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<String> asString =
        callers.submit(
            () ->
                flights.run(
                    "k",
                    TypeRef.of(String.class),
                    () -> {
                      awaitQuietly(release);
                      return "text";
                    }));
    // While the String load waits, an Integer load of the same key runs on its own.
    Integer asInteger = flights.run("k", TypeRef.of(Integer.class), () -> 7);
    release.countDown();

    assertThat(asInteger).isEqualTo(7);
    assertThat(asString.get(5, TimeUnit.SECONDS)).isEqualTo("text");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
