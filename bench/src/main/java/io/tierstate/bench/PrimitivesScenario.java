package io.tierstate.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.lock.LockHandle;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.session.NewSession;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/**
 * Tierstate's Redis primitives beside the raw Lettuce commands of the same shape, on one thread,
 * every operation timed and recorded in an HdrHistogram, the subjects measured in interleaved
 * rounds so that they share the machine's noise:
 *
 * <ul>
 *   <li>a rate-limit decision, for each algorithm, against one raw {@code INCR} (what a hand-made
 *       fixed-window counter costs);
 *   <li>a lock acquire and release (two scripts, fencing token included) against a raw {@code SET
 *       NX PX} and {@code DEL};
 *   <li>a session lookup against a raw {@code HGETALL} of a hash with the same fields;
 *   <li>a write-behind write (appended to a Redis Stream, then cached) against a raw {@code XADD}
 *       then {@code SET}, and how fast the batch writer then receives the writes.
 * </ul>
 *
 * <p>In any mode, fails if a primitive decides wrongly: a rate limit that does not deny its 11th
 * request in a minute with a limit of 10, fencing tokens that do not increase, a session lookup
 * that does not return its session, or a write-behind write that never reaches the batch writer.
 */
final class PrimitivesScenario {
  private static final int IDENTIFIERS = 1_000;
  private static final int SESSIONS = 1_000;
  private static final Map<String, RateLimitPolicy> POLICIES = new LinkedHashMap<>();

  static {
    Duration second = Duration.ofSeconds(1);
    POLICIES.put("fixed window", RateLimitPolicy.fixedWindow(100, second));
    POLICIES.put("sliding log", RateLimitPolicy.slidingLog(100, second));
    POLICIES.put("sliding window", RateLimitPolicy.slidingWindow(100, second));
    POLICIES.put("token bucket", RateLimitPolicy.tokenBucket(100, 100.0));
    POLICIES.put("leaky bucket", RateLimitPolicy.leakyBucket(100, 100.0));
  }

  /** One measured operation; {@code peer} names the row it is compared with, or is empty. */
  private record Subject(String name, String peer, IntConsumer operation) {}

  private PrimitivesScenario() {}

  /** Runs the scenario alone and prints its section. */
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, RunMode.FULL).markdown());
    }
  }

  static Section run(BenchRedis redis, RunMode mode) {
    int rounds = mode.pick(2, 10);
    int perRound = mode.pick(200, 2_000);
    int writes = mode.pick(2_000, 50_000);
    RedisClient client = RedisClient.create(redis.url());
    try (Tierstate ts = Tierstate.create(redis.tierstateConfig().namespace("bench-primitives")
            .nodeId("bench-primitives").build());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      Invalidations.awaitFlowing(ts);
      RedisCommands<String, String> raw = connection.sync();
      checkDecisions(ts);
      List<Subject> subjects = subjects(ts, raw);
      Map<String, Histogram> histograms = new LinkedHashMap<>();
      subjects.forEach(s -> histograms.put(s.name(), new Histogram(60_000_000_000L, 3)));
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        for (Subject subject : subjects) {
          Histogram histogram = Objects.requireNonNull(histograms.get(subject.name()));
          for (int i = 0; i < perRound; i++) {
            long start = System.nanoTime();
            subject.operation().accept(i);
            long took = System.nanoTime() - start;
            if (round >= 0) {
              histogram.recordValue(took);
            }
          }
        }
      }
      WriteBehindRates rates = writeBehind(ts, raw, writes);
      return report(subjects, histograms, rates, rounds, perRound);
    } finally {
      client.shutdown();
    }
  }

  /** A limit of 10 a minute allows 10 requests of a fresh identifier, then denies, for every algorithm. */
  private static void checkDecisions(Tierstate ts) {
    Map<String, RateLimitPolicy> strict = Map.of(
        "fixed window", RateLimitPolicy.fixedWindow(10, Duration.ofMinutes(1)),
        "sliding log", RateLimitPolicy.slidingLog(10, Duration.ofMinutes(1)),
        "sliding window", RateLimitPolicy.slidingWindow(10, Duration.ofMinutes(1)),
        "token bucket", RateLimitPolicy.tokenBucket(10, 10.0 / 60),
        "leaky bucket", RateLimitPolicy.leakyBucket(10, 10.0 / 60));
    String run = Long.toString(System.nanoTime());
    strict.forEach((name, policy) -> {
      for (int i = 1; i <= 11; i++) {
        boolean allowed = ts.rateLimiter().limit("check-" + name.replace(' ', '-') + "-" + run, policy).allowed();
        Checks.check(allowed == (i <= 10), name + " rate limit " + (allowed ? "allowed" : "denied")
            + " request " + i + " of a limit of 10 a minute");
      }
    });
  }

  private static List<Subject> subjects(Tierstate ts, RedisCommands<String, String> raw) {
    List<Subject> subjects = new ArrayList<>();
    POLICIES.forEach((name, policy) -> subjects.add(new Subject("rate limit, " + name, "raw INCR",
        i -> ts.rateLimiter().limit(name.replace(' ', '-') + "-" + (i % IDENTIFIERS), policy))));
    subjects.add(new Subject("raw INCR", "", i -> raw.incr("raw:rl:" + (i % IDENTIFIERS))));

    long[] lastToken = {0};
    subjects.add(new Subject("lock acquire + release", "raw SET NX PX + DEL", i -> {
      try (LockHandle lock = ts.locks().acquire("bench", Duration.ofSeconds(10), Duration.ofSeconds(1))) {
        Checks.check(lock.fencingToken() > lastToken[0], "fencing token " + lock.fencingToken()
            + " after " + lastToken[0]);
        lastToken[0] = lock.fencingToken();
      }
    }));
    subjects.add(new Subject("raw SET NX PX + DEL", "", i -> {
      Checks.check("OK".equals(raw.set("raw:lock", "token", SetArgs.Builder.nx().px(10_000))), "raw lock taken");
      raw.del("raw:lock");
    }));

    String[] sessions = new String[SESSIONS];
    for (int s = 0; s < SESSIONS; s++) {
      sessions[s] = ts.sessions().create(NewSession.builder("acme", "user-" + s).roles(Set.of("member", "billing"))
          .email("user" + s + "@example.com").ipAddress("10.0.0.1").userAgent("Firefox/130")
          .attributes(Map.of("theme", "dark")).build()).id();
      raw.hset("raw:session:" + s, Map.of("t", "acme", "u", "user-" + s, "r", "member,billing",
          "e", "user" + s + "@example.com", "ip", "10.0.0.1", "ua", "Firefox/130", "a:theme", "dark",
          "c", "1", "l", "1", "x", "1"));
    }
    subjects.add(new Subject("session lookup", "raw HGETALL", i -> {
      int s = i % SESSIONS;
      String user = ts.sessions().get(sessions[s]).orElseThrow().userId();
      Checks.check(user.equals("user-" + s), "session " + s + " returned " + user);
    }));
    subjects.add(new Subject("raw HGETALL", "", i -> Checks.check(
        raw.hgetall("raw:session:" + (i % SESSIONS)).size() == 10, "raw hash " + i)));
    return subjects;
  }

  /** Writes per second accepted on one thread, then delivered to the batch writer; a raw XADD + SET rate beside. */
  private record WriteBehindRates(double accepted, double delivered, double rawXadd, Histogram latency) {}

  private static WriteBehindRates writeBehind(Tierstate ts, RedisCommands<String, String> raw, int writes) {
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    CacheOptions minute = CacheOptions.ttl(Duration.ofMinutes(1));
    String payload = "x".repeat(200);
    Histogram latency = new Histogram(60_000_000_000L, 3);
    double accepted;
    double deliveredRate;
    try (WriteBehind<String> events = ts.writeBehind("bench-events", String.class,
        batch -> delivered.addAll(batch.keySet()),
        WriteBehindOptions.defaults().withBatchSize(500).withFlushInterval(Duration.ofMillis(50)))) {
      long start = System.nanoTime();
      for (int i = 0; i < writes; i++) {
        long one = System.nanoTime();
        events.write("event:" + i, payload, minute);
        latency.recordValue(System.nanoTime() - one);
      }
      long enqueued = System.nanoTime();
      events.flush();
      long drained = System.nanoTime();
      Checks.check(delivered.size() == writes, "write-behind delivered " + delivered.size() + " of " + writes + " writes");
      accepted = writes / ((enqueued - start) / 1e9);
      deliveredRate = writes / ((drained - start) / 1e9);
    }
    long start = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      raw.xadd("raw:events", Map.of("k", "event:" + i, "v", payload));
      raw.set("raw:event:" + i, payload, SetArgs.Builder.px(60_000));
    }
    double rawRate = writes / ((System.nanoTime() - start) / 1e9);
    raw.del("raw:events");
    return new WriteBehindRates(accepted, deliveredRate, rawRate, latency);
  }

  private static Section report(List<Subject> subjects, Map<String, Histogram> histograms, WriteBehindRates rates,
      int rounds, int perRound) {
    Section section = new Section("Redis primitives, one thread");
    section.paragraph(String.format(Locale.ROOT,
        "One Tierstate node and one raw Lettuce connection (sync) on the same Redis; each operation timed"
            + " with System.nanoTime() in %d interleaved rounds of %,d per subject after a warm-up round."
            + " Rate limits: 1,000 identifiers at 100 requests a second, so decisions mix allowed and denied."
            + " Sessions: 1,000 sessions; the raw peer reads a hash of about the same fields."
            + " The ratio divides Tierstate's p50 by its peer's (below 1: Tierstate faster).", rounds, perRound));
    Table table = new Table("operation", "p50 µs", "p99 µs", "ops/s (1 / mean)", "p50 / peer");
    for (Subject subject : subjects) {
      Histogram h = Objects.requireNonNull(histograms.get(subject.name()));
      String ratio = "";
      if (!subject.peer().isEmpty()) {
        Histogram peer = Objects.requireNonNull(histograms.get(subject.peer()));
        ratio = Section.ratio((double) h.getValueAtPercentile(50) / peer.getValueAtPercentile(50)) + " of " + subject.peer();
      }
      table.row(subject.name(), Section.micros(h.getValueAtPercentile(50)), Section.micros(h.getValueAtPercentile(99)),
          Section.number(1e9 / h.getMean(), 0), ratio);
    }
    section.table(table);
    section.paragraph(String.format(Locale.ROOT,
        "Write-behind, one thread: %,.0f writes/s accepted (p50 %s µs, p99 %s µs per write: one script that"
            + " appends to the stream, then the cache write), %,.0f writes/s delivered to the batch writer"
            + " (from the first write until `flush()` returned), against %,.0f raw `XADD` + `SET` pairs/s on one"
            + " connection (the same shape by hand: queue, then cache; no version, no invalidation, no batching).",
        rates.accepted(), Section.micros(rates.latency().getValueAtPercentile(50)),
        Section.micros(rates.latency().getValueAtPercentile(99)), rates.delivered(), rates.rawXadd()));
    return section;
  }
}
