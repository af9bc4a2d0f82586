package io.tierstate.bench.faults;

import io.tierstate.metrics.HealthReport;
import io.tierstate.metrics.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches the nodes every {@value #POLL_MILLIS} ms while a fault runs: since when each node has
 * been connected (reaches Redis and reads the invalidation log), and since when every node has been
 * healthy (its health report says {@link HealthStatus#HEALTHY} and its pool answers a query, as the
 * reference server's {@code /health} checks its database). Thread-safe.
 */
final class HealthWatch implements AutoCloseable {
  private static final long POLL_MILLIS = 100;
  private static final long NEVER = Long.MIN_VALUE;

  private final List<Node> nodes;
  private final long[] connectedSince;
  private volatile long healthySince = NEVER;
  // Why a node was last seen short of healthy: the checks that were not HEALTHY, or the pool's error.
  private volatile String lastUnhealthy = "";
  private final Thread thread;
  private volatile boolean running = true;

  HealthWatch(List<Node> nodes) {
    this.nodes = List.copyOf(nodes);
    this.connectedSince = new long[nodes.size()];
    java.util.Arrays.fill(connectedSince, NEVER);
    this.thread = Thread.ofPlatform().name("fault-health-watch").daemon().start(this::run);
  }

  private void run() {
    while (running) {
      long now = System.nanoTime();
      boolean allHealthy = true;
      for (Node node : nodes) {
        boolean connected = node.connected();
        synchronized (connectedSince) {
          if (!connected) {
            connectedSince[node.index] = NEVER;
          } else if (connectedSince[node.index] == NEVER) {
            connectedSince[node.index] = now;
          }
        }
        allHealthy &= connected && healthy(node);
      }
      if (!allHealthy) {
        healthySince = NEVER;
      } else if (healthySince == NEVER) {
        healthySince = now;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean healthy(Node node) {
    try {
      HealthReport report = node.ts.metrics().healthCheck();
      if (report.status() != HealthStatus.HEALTHY) {
        lastUnhealthy = "node-" + node.index + ": " + report.checks().stream()
            .filter(check -> check.status() != HealthStatus.HEALTHY)
            .map(check -> check.name() + " " + check.status() + " (" + check.message() + ")")
            .toList();
        return false;
      }
      node.rows.load(0);
      return true;
    } catch (Exception e) {
      lastUnhealthy = "node-" + node.index + ": " + e;
      return false;
    }
  }

  /** Why a node was last seen short of healthy, or empty. */
  String lastUnhealthy() {
    return lastUnhealthy;
  }

  /**
   * When node {@code index} was seen connected again for good after {@code since} (nanoTime): the
   * first poll since which it stayed connected, or {@code since} if it never lost Redis; {@link
   * Long#MAX_VALUE} if it is not connected now.
   */
  long connectedAfter(int index, long since) {
    synchronized (connectedSince) {
      long at = connectedSince[index];
      return at == NEVER ? Long.MAX_VALUE : Math.max(at, since);
    }
  }

  /** Like {@link #connectedAfter} for every node's health. */
  long healthyAfter(long since) {
    long at = healthySince;
    return at == NEVER ? Long.MAX_VALUE : Math.max(at, since);
  }

  /** Waits until every node has been healthy, at most {@code timeout}; returns whether they are. */
  boolean awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (healthySince == NEVER) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    return true;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
