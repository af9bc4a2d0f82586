package io.tierstate.bench.faults;

import io.tierstate.cache.CacheOptions;
import io.tierstate.lock.LockHandle;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.session.CreatedSession;
import io.tierstate.session.NewSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded, mixed load on the nodes: each thread runs calls at a fixed pace (so the load is the
 * same before, during and after a fault, and a slow call delays its own thread only), on a node
 * picked at random per call, and records each answer with the {@link Recorder}.
 *
 * <p>The mix: 55% cached reads of items (getOrLoad from PostgreSQL), 10% item writes (UPDATE, then
 * delete the key), 3% group writes (UPDATE of ten rows, then invalidate their tag), 10%
 * rate-limited calls (a sliding window that falls back to a local limiter without Redis), 5% lock
 * acquisitions, 10% write-behind writes, 7% sign-ins (a session created on one node and read on the
 * other).
 */
final class LoadGenerator implements AutoCloseable {
  static final String ITEM_PREFIX = "item:";
  private static final Duration ITEM_TTL = Duration.ofMinutes(2);
  private static final RateLimitPolicy POLICY =
      RateLimitPolicy.slidingWindow(100_000, Duration.ofMinutes(1))
          .named("faults")
          .whenRedisUnavailable(RateLimitPolicy.Unavailable.LOCAL);
  private static final int EVENT_KEYS_PER_THREAD = 50;

  private final List<Node> nodes;
  private final Recorder recorder;
  private final long periodNanos;
  private final List<Thread> threads = new ArrayList<>();
  private final CacheOptions[] groupOptions;
  private volatile boolean running = true;

  /**
   * Starts {@code threads} threads that together make about {@code callsPerSecond} calls a second.
   */
  LoadGenerator(List<Node> nodes, Recorder recorder, int threadCount, int callsPerSecond, long seed) {
    this.nodes = List.copyOf(nodes);
    this.recorder = recorder;
    this.periodNanos = TimeUnit.SECONDS.toNanos(1) * threadCount / callsPerSecond;
    int groups = (SourceOfTruth.ITEMS + SourceOfTruth.GROUP_SIZE - 1) / SourceOfTruth.GROUP_SIZE;
    this.groupOptions = new CacheOptions[groups];
    for (int g = 0; g < groups; g++) {
      groupOptions[g] = CacheOptions.ttl(ITEM_TTL).tags("grp:" + g);
    }
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int t = 0; t < threadCount; t++) {
      int thread = t;
      SplittableRandom random = seeds.split();
      Thread worker = Thread.ofPlatform().name("fault-load-" + t).daemon().unstarted(() -> run(thread, random));
      threads.add(worker);
    }
    threads.forEach(Thread::start);
  }

  private void run(int thread, SplittableRandom random) {
    long eventVersion = 0;
    long next = System.nanoTime();
    while (running) {
      Node node = nodes.get(random.nextInt(nodes.size()));
      int roll = random.nextInt(100);
      Recorder.Phase phase = recorder.phase();
      long start = System.nanoTime();
      String outcome;
      try {
        if (roll < 55) {
          outcome = read(node, random.nextInt(SourceOfTruth.ITEMS), start);
        } else if (roll < 65) {
          outcome = write(node, random.nextInt(SourceOfTruth.ITEMS));
        } else if (roll < 68) {
          outcome = writeGroup(node, random.nextInt(groupOptions.length));
        } else if (roll < 78) {
          RateLimitResult result = node.ts.rateLimiter().limit("client:" + random.nextInt(20), POLICY);
          outcome = result.denied() ? Outcomes.RATE_LIMITED : Outcomes.OK;
        } else if (roll < 83) {
          outcome = lock(node, random.nextInt(16));
        } else if (roll < 93) {
          String key = "ev:" + thread + ":" + random.nextInt(EVENT_KEYS_PER_THREAD);
          long version = ++eventVersion;
          node.events.write(key, new Event(version), CacheOptions.ttl(Duration.ofMinutes(1)));
          recorder.writeBehindAcknowledged(key, version);
          outcome = Outcomes.OK;
        } else {
          outcome = signIn(node, random.nextInt(50));
        }
      } catch (Exception e) {
        outcome = Outcomes.of(e);
        recorder.explain(outcome, e);
      }
      recorder.answer(phase, outcome, System.nanoTime() - start);
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -periodNanos * 10) {
        next = System.nanoTime(); // behind after a slow call: do not burst to catch up
      }
    }
  }

  private String read(Node node, int id, long start) {
    Item item =
        node.ts.cache()
            .getOrLoad(
                ITEM_PREFIX + id, Item.class, () -> node.rows.load(id), groupOptions[id / SourceOfTruth.GROUP_SIZE]);
    if (item == null || item.id() != id) {
      throw new IllegalStateException("item:" + id + " read as " + item);
    }
    recorder.read(node.index, id, start, item.version());
    return Outcomes.OK;
  }

  private String write(Node node, int id) throws Exception {
    long version = node.rows.bump(id);
    long committed = System.nanoTime();
    node.ts.cache().delete(ITEM_PREFIX + id);
    recorder.acknowledged(node.index, id, version, committed, System.nanoTime());
    return Outcomes.OK;
  }

  private String writeGroup(Node node, int group) throws Exception {
    List<Item> bumped = node.rows.bumpGroup(group);
    long committed = System.nanoTime();
    node.ts.cache().invalidateTags("grp:" + group);
    long now = System.nanoTime();
    for (Item item : bumped) {
      recorder.acknowledged(node.index, item.id(), item.version(), committed, now);
    }
    return Outcomes.OK;
  }

  private static String lock(Node node, int job) {
    Optional<LockHandle> handle = node.ts.locks().tryAcquire("job:" + job, Duration.ofSeconds(5));
    if (handle.isEmpty()) {
      return Outcomes.LOCK_BUSY;
    }
    handle.get().close();
    return Outcomes.OK;
  }

  private String signIn(Node node, int user) {
    CreatedSession session = node.ts.sessions().create(NewSession.builder("acme", "user" + user).build());
    Node other = nodes.get((node.index + 1) % nodes.size());
    return other.ts.sessions().get(session.id()).isPresent() ? Outcomes.OK : Outcomes.SESSION_NOT_FOUND;
  }

  /** Stops the threads and waits for their last calls (each bounded by the library's timeouts). */
  @Override
  public void close() {
    running = false;
    try {
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
