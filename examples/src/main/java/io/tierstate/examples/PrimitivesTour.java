package io.tierstate.examples;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.lock.LockHandle;
import io.tierstate.pubsub.Subscription;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.session.CreatedSession;
import io.tierstate.session.NewSession;
import io.tierstate.session.Session;
import io.tierstate.session.Validation;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The README's tour of the Redis primitives, compiled and runnable: a lock with its fencing token,
 * rate-limit decisions, a session's life, and a pub/sub round trip. Uses {@code REDIS_URL} when
 * set, else starts a Redis of its own.
 *
 * <p>Run: {@code mvn -q install -DskipTests && mvn -q -pl examples exec:java
 * -Dexec.mainClass=io.tierstate.examples.PrimitivesTour}
 */
public final class PrimitivesTour {
  /** A pub/sub payload. */
  record Activity(String user, String action) {}

  private PrimitivesTour() {}

  /**
   * Runs the tour.
   *
   * @throws InterruptedException if interrupted while waiting for the pub/sub message
   */
  public static void main(String[] args) throws InterruptedException {
    @Nullable RedisServer embedded = null;
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    if (env.getOrDefault("REDIS_URL", "").isEmpty()) {
      embedded = RedisServer.start();
      env.put("REDIS_URL", embedded.uri());
    }
    try (Tierstate ts = Tierstate.create(TierstateConfig.fromEnv(env).toBuilder().nodeId("tour").build())) {
      tour(ts);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void tour(Tierstate ts) throws InterruptedException {
    try (LockHandle lock = ts.locks().acquire("nightly-report", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
      System.out.println("lock nightly-report held with fencing token " + lock.fencingToken());
    }
    try (LockHandle again = ts.locks().acquire("nightly-report", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
      System.out.println("lock nightly-report held again with fencing token " + again.fencingToken());
    }

    RateLimitPolicy policy = RateLimitPolicy.slidingWindow(3, Duration.ofMinutes(1));
    for (int i = 1; i <= 4; i++) {
      RateLimitResult r = ts.rateLimiter().limit("api:user:42", policy);
      System.out.println("request " + i + ": " + (r.allowed() ? "allowed" : "denied, retry after " + r.retryAfter())
          + " (" + r.remaining() + " left)");
    }

    CreatedSession login = ts.sessions().create(NewSession.builder("acme", "u7")
        .roles(Set.of("member")).ipAddress("203.0.113.7").userAgent("Firefox").deviceId("laptop")
        .maxDevices(5).build());
    Optional<Session> session = ts.sessions().get(login.id(), Validation.of("203.0.113.7", "Firefox"));
    System.out.println("session for " + session.map(Session::userId).orElse("?") + " in tenant "
        + session.map(Session::tenantId).orElse("?"));
    System.out.println("from another IP, with validation: "
        + ts.sessions().get(login.id(), Validation.of("198.51.100.1", "Firefox")).isPresent());
    String rotated = ts.sessions().rotate(login.id()).orElseThrow();
    System.out.println("rotated: old id valid " + ts.sessions().get(login.id()).isPresent()
        + ", new id valid " + ts.sessions().get(rotated).isPresent());
    System.out.println("signed out everywhere: " + ts.sessions().deleteUserSessions("acme", "u7") + " session(s)");

    BlockingQueue<Activity> received = new ArrayBlockingQueue<>(1);
    try (Subscription s = ts.pubsub().subscribe("team:1:activity", Activity.class, received::add)) {
      ts.pubsub().publish("team:1:activity", new Activity("alice", "opened ticket 42"));
      System.out.println("pub/sub delivered " + received.poll(5, TimeUnit.SECONDS) + " on " + s.channel());
    }
  }
}
