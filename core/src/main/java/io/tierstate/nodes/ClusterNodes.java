package io.tierstate.nodes;

import java.time.Duration;
import java.util.List;

/**
 * The cluster's nodes. This node announces itself in Redis every {@link
 * TierstateConfig#nodeHeartbeat()}, and {@link #list()} reads what every node of the namespace
 * announced.
 *
 * <p>In Redis, under the namespace {@code ns}: a hash per node, {@code ns:node:<id>} (id, host,
 * version, start time, last heartbeat, heartbeat interval, L1 size, invalidation lag, hot keys, and
 * the stop time of a clean close), which expires {@link #RETENTION} after the last heartbeat; and a
 * sorted set {@code ns:nodes} of node ids scored by their last heartbeat (epoch ms), which is how a
 * lister finds the hashes without SCAN. A node that missed {@value #MISSED_HEARTBEATS} heartbeats
 * (by its own announced interval) or closed cleanly is {@link ClusterNode.Status#STOPPED}, not
 * dropped: an operator sees that it went away. Listing removes ids older than the retention from
 * the set. Each command touches one key, so this works on a Redis Cluster too. Times are the nodes'
 * wall clocks: keep them in sync (NTP) to well within a heartbeat.
 *
 * <p>A heartbeat that fails (Redis unreachable) is skipped, not retried: the next one is on time.
 *
 * <p>Thread-safe.
 */
public interface ClusterNodes extends AutoCloseable {
  /** How long a node that stopped announcing itself stays listed, after its last heartbeat. */
  Duration RETENTION = Duration.ofHours(1);

  /** A node that missed this many heartbeats in a row is listed as stopped. */
  int MISSED_HEARTBEATS = 3;

  /** This node's id. */
  String nodeId();

  /**
   * Every node of this namespace that announced itself within {@link #RETENTION}: live ones first,
   * then the most recent heartbeat first.
   *
   * @throws io.tierstate.RedisUnavailableException if Redis cannot be reached
   */
  List<ClusterNode> list();

  /**
   * Stops announcing this node and marks it stopped in Redis (if Redis can be reached; else the
   * other nodes see it stop after {@value #MISSED_HEARTBEATS} missed heartbeats). Closing again
   * does nothing.
   */
  @Override
  void close();
}
