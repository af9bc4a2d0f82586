package io.tierstate.bench.faults;

import io.micrometer.core.instrument.Counter;
import io.tierstate.metrics.MeterNames;
import io.tierstate.session.NewSession;
import io.tierstate.testkit.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs one fault under load and checks the outcome: warm up, inject, hold, heal, keep the load on,
 * stop it, wait for the nodes to be healthy and the propagation bound to pass, then compare what
 * every node serves with PostgreSQL, drain the write-behind and count what it lost, and count the
 * sessions that survived.
 *
 * <p>The stale-read rule: a read of a key that started at time {@code s} must return at least the
 * highest version of that key acknowledged by {@code s - PROPAGATION_BOUND}. The bound covers
 * Tierstate's invalidation delivery (a few ms on loopback) and the replay of invalidations a node
 * held back while Redis was unreachable (every second); reads are held to it from the bound after
 * every node reached Redis again: a node cut off from Redis holds the invalidations of its own writes
 * until it is back, so the other node may serve the older value until then (guarantee 4's degraded
 * window).
 */
final class FaultRun {
  /** How long after a write every node must have stopped serving the older value. */
  static final Duration PROPAGATION_BOUND = Duration.ofSeconds(2);
  /**
   * The least time reads are checked for after a heal: the load goes on past the run's after time
   * until both nodes have been back this long plus the bound (a slow reconnect, 2.6 s after a
   * restart on a loaded host, otherwise left a few dozen checked reads).
   */
  static final Duration MIN_CHECKED = Duration.ofMillis(1500);
  /** How long the nodes get, after the heal, to be healthy again. */
  static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);
  private static final int SESSIONS_PER_NODE = 20;

  /** The run's durations and load. */
  record Timing(Duration warm, Duration hold, Duration after, int threads, int callsPerSecond) {}

  private FaultRun() {}

  static FaultResult run(Fault fault, Timing timing, SourceOfTruth db, long seed) throws Exception {
    db.reset();
    try (Deployment d = Deployment.start(fault.topology(), db)) {
      List<Node> nodes = d.nodes();
      List<String> sessions = signIn(nodes);
      Recorder recorder = new Recorder();
      long faultAt;
      long healedAt;
      try (HealthWatch watch = new HealthWatch(nodes)) {
        LoadGenerator load = new LoadGenerator(nodes, recorder, timing.threads(), timing.callsPerSecond(), seed);
        try {
          sleep(timing.warm());
          recorder.phase(Recorder.Phase.DURING);
          faultAt = System.nanoTime();
          Fault.Heal heal = fault.inject(d);
          if (fault.held()) {
            sleep(timing.hold());
          }
          heal.run();
          healedAt = System.nanoTime();
          recorder.phase(Recorder.Phase.AFTER);
          sleep(timing.after());
          awaitCheckedWindow(watch, nodes, healedAt);
        } finally {
          load.close();
        }
        if (!watch.awaitHealthy(RECOVERY_BOUND)) {
          d.note("not healthy at the end: " + watch.lastUnhealthy());
        }
        long[] connectedAt = new long[nodes.size()];
        for (Node node : nodes) {
          connectedAt[node.index] = watch.connectedAfter(node.index, healedAt);
        }
        long reconnected = Arrays.stream(connectedAt).max().orElse(Long.MAX_VALUE);
        long healthy = watch.healthyAfter(healedAt);
        sleep(PROPAGATION_BOUND);

        long[] stale = staleReads(recorder, reconnected, faultAt, d);
        long staleEntries = staleEntries(d, recorder, faultAt, healedAt);
        long lost = writeBehindLost(nodes, recorder, db);
        int kept = sessionsKept(nodes, sessions);
        noteTrustFloor(nodes, d);
        long calls = recorder.outcomes().values().stream().mapToLong(Long::longValue).sum();
        return new FaultResult(
            fault,
            TimeUnit.NANOSECONDS.toMillis(healedAt - faultAt),
            calls,
            recorder.outcomes(Recorder.Phase.BEFORE),
            recorder.outcomes(Recorder.Phase.DURING),
            recorder.outcomes(Recorder.Phase.AFTER),
            new FaultResult.P99(
                p99(recorder.latencies(Recorder.Phase.BEFORE)),
                p99(recorder.latencies(Recorder.Phase.DURING)),
                p99(recorder.latencies(Recorder.Phase.AFTER))),
            millisSince(healedAt, reconnected),
            millisSince(healedAt, healthy),
            stale[0],
            stale[1],
            stale[2],
            staleEntries,
            recorder.writeBehindWrites(),
            lost,
            db.olderWritten(),
            d.deadLetters(),
            sessions.size(),
            kept,
            unexpected(recorder),
            notes(d, db));
      }
    }
  }

  /**
   * The deployment's notes, and how many write-behind entries older than the stored value the
   * writer's version guard refused (the write-behind cannot rule them out after a write-through or
   * a Redis failover; it hands their version so that the writer can).
   */
  private static List<String> notes(Deployment d, SourceOfTruth db) {
    List<String> notes = new ArrayList<>(d.notes());
    if (db.olderDeliveries() > 0) {
      notes.add(
          db.olderDeliveries()
              + " write-behind entries older than the stored value reached the writer; its version"
              + " guard refused "
              + (db.olderDeliveries() - db.olderWritten()));
    }
    return notes;
  }

  /**
   * Keeps the load on until both nodes have been back (reaching Redis, reading the log) for the
   * propagation bound plus {@link #MIN_CHECKED}, at most the recovery bound.
   */
  private static void awaitCheckedWindow(HealthWatch watch, List<Node> nodes, long healedAt)
      throws InterruptedException {
    long needed = PROPAGATION_BOUND.plus(MIN_CHECKED).toNanos();
    long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      long back = healedAt;
      for (Node node : nodes) {
        back = Math.max(back, watch.connectedAfter(node.index, healedAt));
      }
      if (back != Long.MAX_VALUE && System.nanoTime() - back >= needed) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /**
   * What each node did about a possible loss of Redis writes: trust floor raises by cause, and L2
   * entries read as misses because they were below the floor (guarantees.md, 1).
   */
  private static void noteTrustFloor(List<Node> nodes, Deployment d) {
    for (Node node : nodes) {
      StringBuilder raises = new StringBuilder();
      for (Counter counter : node.ts.metrics().registry().find(MeterNames.TRUST_FLOOR_RAISES).counters()) {
        if (counter.count() > 0) {
          raises.append(raises.isEmpty() ? "" : ", ").append(counter.getId().getTag("cause"))
              .append(' ').append((long) counter.count());
        }
      }
      double untrusted = node.ts.metrics().registry().find(MeterNames.L2_UNTRUSTED).counters().stream()
          .mapToDouble(Counter::count).sum();
      if (!raises.isEmpty() || untrusted > 0) {
        d.note("node-" + node.index + " raised the trust floor (" + (raises.isEmpty() ? "no raise" : raises)
            + "); L2 entries read as misses below it: " + (long) untrusted);
      }
    }
  }

  /** Sessions signed in on each node before the fault (the id, alternating nodes). */
  private static List<String> signIn(List<Node> nodes) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SESSIONS_PER_NODE * nodes.size(); i++) {
      Node node = nodes.get(i % nodes.size());
      ids.add(node.ts.sessions().create(NewSession.builder("acme", "before" + i).build()).id());
    }
    return ids;
  }

  private static int sessionsKept(List<Node> nodes, List<String> ids) {
    int kept = 0;
    for (int i = 0; i < ids.size(); i++) {
      Node other = nodes.get((i + 1) % nodes.size());
      if (other.ts.sessions().get(ids.get(i)).isPresent()) {
        kept++;
      }
    }
    return kept;
  }

  /**
   * {checked after heal, stale after heal, stale between the fault and that point}, by the rule of
   * the class comment.
   */
  private static long[] staleReads(Recorder recorder, long reconnected, long faultAt, Deployment d) {
    long bound = PROPAGATION_BOUND.toNanos();
    Map<Integer, List<Recorder.Ack>> acksById = new HashMap<>();
    for (Recorder.Ack ack : recorder.acks()) {
      acksById.computeIfAbsent(ack.id(), id -> new ArrayList<>()).add(ack);
    }
    // Per item: acknowledgement times in order, and the highest version acknowledged by each.
    Map<Integer, long[][]> history = new HashMap<>();
    acksById.forEach((id, acks) -> {
      acks.sort(Comparator.comparingLong(Recorder.Ack::ackNanos));
      long[] times = new long[acks.size()];
      long[] highest = new long[acks.size()];
      long max = 0;
      for (int i = 0; i < acks.size(); i++) {
        max = Math.max(max, acks.get(i).version());
        times[i] = acks.get(i).ackNanos();
        highest[i] = max;
      }
      history.put(id, new long[][] {times, highest});
    });
    long checked = 0;
    long staleAfter = 0;
    long staleDuring = 0;
    for (Recorder.Read read : recorder.reads()) {
      long[][] h = history.get(read.id());
      long required = 0;
      if (h != null) {
        int i = Arrays.binarySearch(h[0], read.startNanos() - bound);
        int last = i >= 0 ? i : -i - 2; // the last acknowledgement at or before the cut-off
        required = last >= 0 ? h[1][last] : 0;
      }
      boolean stale = read.version() < required;
      long heldFrom = reconnected == Long.MAX_VALUE ? Long.MAX_VALUE : reconnected + bound;
      if (read.startNanos() >= heldFrom) {
        checked++;
        if (stale && ++staleAfter <= 3) {
          d.note("stale read after the heal: node-" + read.node() + " item:" + read.id() + " read v" + read.version()
              + " at " + TimeUnit.NANOSECONDS.toMillis(read.startNanos() - faultAt) + " ms from the fault, v"
              + required + " was acknowledged " + PROPAGATION_BOUND.toMillis() + "+ ms before");
        }
      } else if (read.startNanos() >= faultAt) {
        staleDuring += stale ? 1 : 0;
      }
    }
    return new long[] {checked, staleAfter, staleDuring};
  }

  /**
   * Entries each node serves (from L1 or L2, and through its loader) that differ from PostgreSQL;
   * the first few are described in the run's notes with the key's history.
   */
  private static long staleEntries(Deployment d, Recorder recorder, long faultAt, long healedAt) {
    Map<Integer, Long> truth = d.db.items();
    long stale = 0;
    for (Node node : d.nodes()) {
      for (Map.Entry<Integer, Long> row : truth.entrySet()) {
        int id = row.getKey();
        String key = LoadGenerator.ITEM_PREFIX + id;
        try {
          Optional<Item> cached = node.ts.cache().get(key, Item.class);
          Item served = node.ts.cache().getOrLoad(key, Item.class, () -> node.rows.load(id),
              io.tierstate.cache.CacheOptions.ttl(Duration.ofMinutes(2)));
          if ((cached.isPresent() && cached.get().version() != row.getValue())
              || served == null || served.version() != row.getValue()) {
            stale++;
            if (stale <= 3) {
              d.note("stale at the end: " + node + " " + key + " serves v"
                  + cached.map(Item::version).orElse(-1L) + ", PostgreSQL has v" + row.getValue()
                  + "; " + node.ts.cache().inspect(key) + "; writes (node, version, committed, acknowledged;"
                  + " ms from the fault): " + history(recorder, id, faultAt) + "; heal at "
                  + TimeUnit.NANOSECONDS.toMillis(healedAt - faultAt) + " ms; " + redisView(d, key, faultAt));
            }
          }
        } catch (RuntimeException e) {
          stale++; // a node that cannot answer after the bound is not serving the truth either
          d.note("no answer at the end: " + node + " " + key + ": " + e);
        }
      }
    }
    return stale;
  }

  /** For a standalone Redis: the key's fence, and when the log mentions the key (ms from the fault). */
  private static String redisView(Deployment d, String key, long faultAt) {
    if (d.topology != Topology.STANDALONE) {
      return "";
    }
    long faultWall = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - faultAt);
    String fence = d.redis().command("GET", d.namespace + ":{" + key + "}:f");
    String log = d.redis().command("XRANGE", d.namespace + ":log", "-", "+");
    List<String> mentions = new ArrayList<>();
    String id = "";
    java.util.regex.Pattern token = java.util.regex.Pattern.compile("(^| )" + java.util.regex.Pattern.quote(key) + "( |$)");
    for (String line : String.valueOf(log).split("\n", -1)) {
      if (line.matches("\\d{13}-\\d+")) {
        id = line;
      } else if (token.matcher(line).find()) {
        mentions.add(Long.parseLong(id.substring(0, id.indexOf('-'))) - faultWall + " ms");
      }
    }
    int ids = 0;
    for (String line : String.valueOf(log).split("\\n", -1)) {
      if (line.matches("\\d{13}-\\d+")) {
        ids++;
      }
    }
    return "Redis fence " + fence + ", log entries naming it at " + mentions + " (of " + ids + " entries)";
  }

  private static String history(Recorder recorder, int id, long faultAt) {
    return recorder.acks().stream()
        .filter(a -> a.id() == id)
        .sorted(Comparator.comparingLong(Recorder.Ack::commitNanos))
        .map(a -> "(" + a.node() + ", v" + a.version() + ", "
            + TimeUnit.NANOSECONDS.toMillis(a.commitNanos() - faultAt) + ", "
            + TimeUnit.NANOSECONDS.toMillis(a.ackNanos() - faultAt) + ")")
        .collect(java.util.stream.Collectors.joining(" "));
  }

  /**
   * Flushes each node's write-behind, waits up to the recovery bound for PostgreSQL to hold every
   * acknowledged version, and returns the keys whose latest acknowledged version is not there.
   */
  private static long writeBehindLost(List<Node> nodes, Recorder recorder, SourceOfTruth db) {
    for (Node node : nodes) {
      try {
        node.events.flush(Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        // counted below: what did not arrive is lost
      }
    }
    Map<String, Long> acked = recorder.writeBehindAcked();
    Poll.until(RECOVERY_BOUND, () -> missing(acked, db.events()) == 0);
    return missing(acked, db.events());
  }

  private static long missing(Map<String, Long> acked, Map<String, Long> written) {
    return acked.entrySet().stream()
        .filter(e -> written.getOrDefault(e.getKey(), 0L) < e.getValue())
        .count();
  }

  private static Map<String, String> unexpected(Recorder recorder) {
    Map<String, String> unexpected = new HashMap<>();
    recorder.firstMessages().forEach((outcome, message) -> {
      if (Outcomes.isServerError(outcome)) {
        unexpected.put(outcome, message);
      }
    });
    return unexpected;
  }

  private static double p99(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6;
  }

  private static long millisSince(long from, long at) {
    return at == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(at - from);
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration);
  }
}
