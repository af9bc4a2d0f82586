package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.TestStack;
import io.tierstate.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference service under load while a fault hits it, over HTTP: two instances behind a
 * balancer (each call goes to one of them at random, with the caller's cookies, as a browser behind
 * a load balancer), each instance reaching Redis through a proxy of its own, four signed-in users at
 * a fixed pace, one fault at a time. What real clients
 * get is checked: only the documented 503s while the fault lasts, never a 500 or another error,
 * both instances healthy again after it, every answer a success once they are (a 401 only where
 * Redis lost the sessions), and no instance serving a preference older than PostgreSQL's.
 *
 * <p>The library-level suite ({@code bench/faults.sh}, docs/reliability.md) measures every fault of
 * issue 16 with figures; this is the same kind of check through the real server's HTTP errors.
 */
class FaultsUnderLoadIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2, Map.of(
      // Each user may make 15 calls a second; the load offers up to 25, so rate limiting is exercised.
      "API_RATE_LIMIT", "150", "API_RATE_WINDOW", "10s")).eachThroughItsOwnRedisProxy();

  private static final List<String> USERS =
      List.of("alice@acme.test", "carol@acme.test", "bob@globex.test", "admin@globex.test");
  private static final List<String> ZONES =
      List.of("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney");
  private static final Duration PACE = Duration.ofMillis(40);
  private static final Duration BEFORE = Duration.ofSeconds(2);
  private static final Duration HOLD = Duration.ofSeconds(3);
  private static final Duration AFTER = Duration.ofSeconds(2);
  /** The 503s the API documents for an unreachable dependency (docs/server.md). */
  private static final Set<String> DOCUMENTED_503 =
      Set.of("503 redis_unavailable", "503 database_unavailable", "503 session_store_unavailable");

  private static final Duration SLOW_CALL = Duration.ofMillis(100);
  private static final String OUTSIDE_THE_FAULT = " (outside the fault)";

  /** When a call started: before the fault, while it lasts, until a second after both are HEALTHY, after. */
  private enum Phase { BEFORE, DURING, HEALING, AFTER }

  private final Map<Phase, Map<String, LongAdder>> outcomes = new EnumMap<>(Phase.class);
  /** Calls that took 100 ms or more, by the phase they started in. */
  private final Map<Phase, LongAdder> slowCalls = new EnumMap<>(Phase.class);
  private String report = "";
  private volatile Phase phase = Phase.BEFORE;
  private volatile boolean running = true;
  private final List<Thread> callers = new ArrayList<>();
  private final List<Browser> browsers = new ArrayList<>();

  @AfterEach
  void stopLoad() throws InterruptedException {
    running = false;
    for (Thread caller : callers) {
      caller.join(10_000);
    }
    // Whatever a test left behind, the next one starts from a running stack.
    bothProxies(FaultProxy::heal);
    if (!stack.redis().isRunning()) {
      stack.redis().restart();
    }
    if (!stack.postgres().isRunning()) {
      stack.postgres().restart();
    }
  }

  @Test
  void redisPausedUnderLoad() throws Exception {
    run("Redis paused", false, () -> stack.redis().pause(), () -> stack.redis().resume());
    assertSeenAroundTheFault("503 session_store_unavailable");
  }

  @Test
  void redisKilledAndRestartedEmptyUnderLoad() throws Exception {
    // Without persistence every session is gone: each user signs in again, once.
    run("Redis killed, restarted empty", true, () -> stack.redis().kill(), () -> stack.redis().restart());
    assertSeenAroundTheFault("401 session_ended");
  }

  @Test
  void redisSlowedBy100MillisecondsUnderLoad() throws Exception {
    // 50 ms each way on both instances' paths: every round trip to Redis takes 100 ms longer.
    run("Redis slowed to +100 ms per command", false,
        () -> bothProxies(p -> p.latency(Duration.ofMillis(50), Duration.ofMillis(5))),
        () -> bothProxies(FaultProxy::heal));
    // Every call checks the session or the rate limit in Redis, so nearly all take 100 ms more.
    assertThat(slowCalls.get(Phase.DURING).sum() * 2).as("calls of 100 ms or more during the fault\n%s", report)
        .isGreaterThanOrEqualTo(total(Phase.DURING));
  }

  private static void bothProxies(Consumer<FaultProxy> change) {
    change.accept(stack.redisProxy(0));
    change.accept(stack.redisProxy(1));
  }

  @Test
  void oneInstancePartitionedFromRedisUnderLoad() throws Exception {
    // Instance 0 hears none of instance 1's invalidations meanwhile: once healed, it must not serve
    // a preference instance 1 changed (the check at the end).
    run("instance 0 partitioned from Redis", false,
        () -> stack.redisProxy(0).partition(), () -> stack.redisProxy(0).heal());
    assertSeenAroundTheFault("503 session_store_unavailable");
  }

  @Test
  void postgresStoppedAndStartedUnderLoad() throws Exception {
    run("PostgreSQL stopped, started", false, () -> stack.postgres().stop(), () -> stack.postgres().restart());
    assertSeenAroundTheFault("503 database_unavailable");
  }

  @Test
  void oneInstancesPoolHeldBySlowQueriesUnderLoad() throws Exception {
    // Every connection of instance 0's pool (DATABASE_POOL_SIZE, 10 by default) sleeps in
    // PostgreSQL for 5 s, longer than a request waits for a connection (3 s): the heal waits for
    // the sleepers. Instance 1's pool is free.
    List<Thread> sleepers = new ArrayList<>();
    run("instance 0's pool held by slow queries", false,
        () -> {
          for (int i = 0; i < 10; i++) {
            sleepers.add(Thread.ofPlatform().start(this::sleepInInstance0sPool));
          }
        },
        () -> sleepers.forEach(FaultsUnderLoadIntegrationTests::awaitEnd));
    assertSeenAroundTheFault("503 database_unavailable");
  }

  private void sleepInInstance0sPool() {
    try {
      stack.server(0).database().query("SELECT pg_sleep(5)", row -> 0);
    } catch (RuntimeException e) {
      // A connection a request held at the start: the pool is exhausted all the same.
    }
  }

  private static void awaitEnd(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run(String fault, boolean losesSessions, Runnable inject, Runnable heal) throws Exception {
    for (Phase p : Phase.values()) {
      outcomes.put(p, new ConcurrentHashMap<>());
      slowCalls.put(p, new LongAdder());
    }
    for (String email : USERS) {
      Browser browser = new Browser(email);
      browsers.add(browser);
      callers.add(Thread.ofPlatform().name("load-" + email).start(browser::load));
    }
    Thread.sleep(BEFORE.toMillis());

    phase = Phase.DURING;
    inject.run();
    Thread.sleep(HOLD.toMillis());
    heal.run();
    phase = Phase.HEALING;

    long healed = System.nanoTime();
    Await.until("both instances healthy again", () -> healthy(0) && healthy(1), Duration.ofSeconds(60));
    Duration toHealthy = Duration.ofNanos(System.nanoTime() - healed);
    Thread.sleep(1_000);
    phase = Phase.AFTER;
    Thread.sleep(AFTER.toMillis());
    running = false;
    for (Thread caller : callers) {
      caller.join(10_000);
    }

    report = fault + ": " + report(toHealthy);
    System.out.println("FaultsUnderLoadIntegrationTests: " + report.replace("\n", "; "));
    for (Phase p : Phase.values()) {
      for (String outcome : outcomes.get(p).keySet()) {
        assertThat(outcome).as("%s: an answer that is neither a success nor a documented 503\n%s", p, report)
            .matches(o -> allowed(o, losesSessions));
      }
    }
    assertThat(count(Phase.BEFORE, "200")).as("calls answered before the fault\n%s", report).isGreaterThan(50);
    assertThat(count(Phase.AFTER, "200")).as("calls answered after the heal\n%s", report).isGreaterThan(50);
    // A call that misses the cache without PostgreSQL waits for the pool's timeout (3 s): few calls.
    assertThat(total(Phase.DURING)).as("calls started during the fault\n%s", report)
        .isGreaterThanOrEqualTo(USERS.size());
    if (losesSessions) {
      assertThat(browsers).as("every user signed in again").allMatch(b -> b.signIns > 1);
    }

    // Once healed, no instance serves a preference older than the database's.
    Thread.sleep(2_000); // the propagation bound of docs/reliability.md
    for (Browser browser : browsers) {
      long stored = stack.server().database()
          .queryOne("SELECT version FROM user_preferences WHERE user_id = ?",
              row -> row.getLong(1), browser.client.userId())
          .orElse(1L);
      for (int i = 0; i < 2; i++) {
        Answer answer = browser.client.on(stack.server(i).baseUrl()).get("/api/v1/me/preferences");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().path("version").asLong())
            .as("%s's preferences on instance %d against PostgreSQL", browser.email, i)
            .isEqualTo(stored);
      }
    }
  }

  /**
   * Successes and 429s; the documented 503s for calls that overlapped the fault; 401s where Redis
   * lost the sessions, for calls that ended once it had (see {@link #send}).
   */
  private static boolean allowed(String outcome, boolean losesSessions) {
    if (outcome.equals("200") || outcome.equals("204") || outcome.startsWith("429 ")) {
      return true;
    }
    if (outcome.endsWith(OUTSIDE_THE_FAULT)) {
      return false;
    }
    return DOCUMENTED_503.contains(outcome) || (losesSessions && outcome.startsWith("401 "));
  }

  /**
   * That the fault did strike: {@code outcome} answered a call in flight while it lasted or healed
   * (a test whose fault was never injected would otherwise pass on successes alone).
   */
  private void assertSeenAroundTheFault(String outcome) {
    long seen = count(Phase.BEFORE, outcome) + count(Phase.DURING, outcome) + count(Phase.HEALING, outcome);
    assertThat(seen).as("'%s' answers around the fault\n%s", outcome, report).isPositive();
  }

  /** HEALTHY, every check (a DEGRADED report is also answered 200, so the status code is not enough). */
  private boolean healthy(int instance) {
    Answer health = TestStack.client(stack.server(instance)).get("/health");
    return health.status() == 200 && health.json().path("status").asText().equals("HEALTHY");
  }

  private long count(Phase p, String outcome) {
    LongAdder adder = outcomes.get(p).get(outcome);
    return adder == null ? 0 : adder.sum();
  }

  private long total(Phase p) {
    return outcomes.get(p).values().stream().mapToLong(LongAdder::sum).sum();
  }

  private String report(Duration toHealthy) {
    StringBuilder out = new StringBuilder("healthy " + toHealthy.toMillis() + " ms after the heal\n");
    for (Phase p : Phase.values()) {
      Map<String, Long> sorted = new TreeMap<>(outcomes.get(p).entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())));
      out.append(p).append(": ").append(sorted).append('\n');
    }
    return out.toString();
  }

  /**
   * Makes a request and records its answer under the phase it started in. An error answer to a call
   * that started and ended before the fault, or after the heal's grace, is marked {@link
   * #OUTSIDE_THE_FAULT}: only calls in flight while the fault lasted or healed may fail.
   */
  private Answer send(Supplier<Answer> request) {
    Phase started = phase;
    long start = System.nanoTime();
    Answer answer = request.get();
    Phase ended = phase;
    if (System.nanoTime() - start >= SLOW_CALL.toNanos()) {
      slowCalls.get(started).increment();
    }
    String outcome = answer.status() < 400
        ? Integer.toString(answer.status())
        : answer.status() + " " + answer.errorCode();
    boolean overlapped = !(started == ended && (started == Phase.BEFORE || started == Phase.AFTER));
    if (answer.status() >= 400 && answer.status() != 429 && !overlapped) {
      outcome += OUTSIDE_THE_FAULT;
    }
    outcomes.get(started).computeIfAbsent(outcome, o -> new LongAdder()).increment();
    return answer;
  }

  /** One user's browser: cookies kept across instances, a mixed call at a fixed pace. */
  private final class Browser {
    final String email;
    ApiClient client;
    int signIns;

    Browser(String email) {
      this.email = email;
      this.client = TestStack.signedIn(stack.server(), email);
      this.signIns = 1;
    }

    void load() {
      long next = System.nanoTime();
      while (running) {
        client = client.on(stack.server(ThreadLocalRandom.current().nextInt(2)).baseUrl());
        Answer answer = call(ThreadLocalRandom.current().nextInt(100));
        if (answer.status() == 401) {
          // The browser's own session is gone (Redis lost it): sign in again, as a person would.
          Answer again = send(() -> client.attemptLogin(email, TestStack.PASSWORD));
          signIns += again.status() == 200 ? 1 : 0;
        }
        // A slow call delays only this user; one far behind does not burst to catch up.
        next = Math.max(next + PACE.toNanos(), System.nanoTime() - PACE.toNanos());
        long wait = next - System.nanoTime();
        if (wait > 0) {
          try {
            Thread.sleep(Duration.ofNanos(wait));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    /** Makes one call, records every answer, and returns the browser's own (its session's) answer. */
    private Answer call(int dice) {
      if (dice >= 92) {
        signInElsewhere();
        return send(() -> client.get("/api/v1/auth/session"));
      }
      String zone = ZONES.get(ThreadLocalRandom.current().nextInt(ZONES.size()));
      return send(() -> dice < 30 ? client.get("/api/v1/auth/session")
          : dice < 55 ? client.get("/api/v1/me/preferences")
          : dice < 70 ? client.get("/api/v1/users/" + client.userId() + "/permissions")
          : dice < 80 ? client.get("/api/v1/reference/countries")
          : client.patch("/api/v1/me/preferences", Map.of("timeZone", zone)));
    }

    /** A sign-in on another device, its session read on the other instance, then signed out. */
    private void signInElsewhere() {
      int first = ThreadLocalRandom.current().nextInt(2);
      ApiClient device = TestStack.client(stack.server(first));
      Answer login = send(() -> device.attemptLogin(email, TestStack.PASSWORD));
      if (login.status() != 200) {
        return;
      }
      ApiClient onOther = device.on(stack.server(1 - first).baseUrl());
      send(() -> onOther.get("/api/v1/auth/session"));
      send(() -> onOther.post("/api/v1/auth/logout", ""));
    }
  }
}
