package io.tierstate.bench.faults;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.testkit.Poll;
import io.tierstate.writebehind.BatchWriter;
import io.tierstate.writebehind.WriteBehind;
import io.tierstate.writebehind.WriteBehindOptions;
import java.time.Duration;

/**
 * One library node of the suite: a Tierstate instance with its own connections and L1, its own
 * PostgreSQL pool, and the {@code events} write-behind. Thread-safe.
 */
final class Node implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  final int index;
  final Tierstate ts;
  final SourceOfTruth.Rows rows;
  final WriteBehind<Event> events;

  private Node(int index, Tierstate ts, SourceOfTruth.Rows rows) {
    this.index = index;
    this.ts = ts;
    this.rows = rows;
    this.events =
        ts.writeBehind(
            "events",
            Event.class,
            BatchWriter.versioned(rows::upsertEvents),
            WriteBehindOptions.defaults().withFlushInterval(Duration.ofMillis(200)));
  }

  /**
   * Starts node {@code index} on {@code redisUrl} in {@code namespace}, with the library's defaults
   * otherwise (1 s command timeout, 5 s degraded L1 lifetime), and waits until it reads the
   * invalidation log.
   */
  static Node start(int index, String redisUrl, String namespace, SourceOfTruth db) {
    SourceOfTruth.Rows rows = db.pool("node-" + index);
    Tierstate ts;
    try {
      ts =
          Tierstate.create(
              TierstateConfig.builder()
                  .redisUrl(redisUrl)
                  .namespace(namespace)
                  .nodeId("node-" + index)
                  .build());
    } catch (RuntimeException e) {
      rows.close();
      throw e;
    }
    Node node = new Node(index, ts, rows);
    if (!Poll.until(READY_TIMEOUT, ts::invalidationsFlowing)) {
      node.close();
      throw new IllegalStateException("node-" + index + " did not read the invalidation log within " + READY_TIMEOUT);
    }
    return node;
  }

  /** Whether the node reaches Redis and reads the invalidation log. */
  boolean connected() {
    return ts.redisAvailable() && ts.invalidationsFlowing();
  }

  @Override
  public void close() {
    ts.close();
    rows.close();
  }

  @Override
  public String toString() {
    return "node-" + index;
  }
}
