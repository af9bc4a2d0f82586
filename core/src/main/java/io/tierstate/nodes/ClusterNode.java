package io.tierstate.nodes;

import io.tierstate.cache.HotKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One node of the cluster as it last announced itself in Redis, and whether it still does.
 *
 * @param id the node's id ({@link io.tierstate.TierstateConfig#nodeId()})
 * @param host the host it runs on ({@code HOSTNAME}, else the local host name)
 * @param version the Tierstate version it runs
 * @param startedAt when it started
 * @param lastHeartbeat when it last announced itself
 * @param heartbeatInterval how often it announces itself
 * @param uptime how long it has run: until now for a live node, until its last heartbeat (or its
 *     clean stop) for a stopped one
 * @param l1Size the entries in its L1 at the last heartbeat
 * @param invalidationLag the longest time another node's invalidation took to reach it, over the
 *     last two minutes or so before the last heartbeat (zero when none arrived)
 * @param status live, or stopped
 * @param hotKeys the keys it read most at the last heartbeat, hottest first ({@link
 *     io.tierstate.cache.TieredCache#hotKeys()}): at most {@value
 *     io.tierstate.cache.TieredCache#MAX_HOT_KEYS}, empty when its sampling is off
 */
public record ClusterNode(
    String id,
    String host,
    String version,
    Instant startedAt,
    Instant lastHeartbeat,
    Duration heartbeatInterval,
    Duration uptime,
    long l1Size,
    Duration invalidationLag,
    Status status,
    List<HotKey> hotKeys) {

  /** Whether a node still announces itself. */
  public enum Status {
    /** Its last heartbeat is recent: fewer than {@value ClusterNodes#MISSED_HEARTBEATS} missed. */
    LIVE,
    /**
     * It closed cleanly, or missed {@value ClusterNodes#MISSED_HEARTBEATS} heartbeats in a row
     * (crashed, partitioned from Redis, or paused). Listed until {@link ClusterNodes#RETENTION}
     * after its last heartbeat, then forgotten.
     */
    STOPPED
  }

  /**
   * @throws NullPointerException if an argument is null, or {@code hotKeys} holds a null
   */
  public ClusterNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(uptime, "uptime");
    Objects.requireNonNull(invalidationLag, "invalidationLag");
    Objects.requireNonNull(status, "status");
    hotKeys = List.copyOf(hotKeys);
  }
}
