package io.tierstate.bench.faults;

import io.tierstate.testkit.FaultProxy;
import io.tierstate.testkit.Poll;
import io.tierstate.testkit.RedisServer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults of issue 16, in priority order. Each is injected while the load runs, held for the
 * run's hold time when it has a duration of its own choosing ({@link #held()}), and healed; a fault
 * that is an event (a failover, a migration) ends when the event has completed.
 *
 * <p>Which nodes see it: the Redis faults and the PostgreSQL restart reach both nodes; the
 * partition and the pool exhaustion reach node 0 only, node 1 keeps working normally.
 */
enum Fault {
  REDIS_PAUSED("Redis paused (SIGSTOP)", Topology.STANDALONE, true, false) {
    @Override
    Heal inject(Deployment d) {
      d.redis().pause();
      return () -> d.redis().resume();
    }
  },
  REDIS_KILLED_RESTARTED_EMPTY("Redis killed (SIGKILL), restarted empty", Topology.STANDALONE, true, true) {
    @Override
    Heal inject(Deployment d) {
      d.redis().kill();
      return () -> d.redis().restart();
    }
  },
  REDIS_SLOW("Redis slowed to +100 ms per command (proxy: 50 ms each way, ±5 ms)", Topology.STANDALONE, true, false) {
    @Override
    Heal inject(Deployment d) {
      for (FaultProxy proxy : d.proxies()) {
        proxy.latency(Duration.ofMillis(50), Duration.ofMillis(5));
      }
      return () -> d.proxies().forEach(FaultProxy::heal);
    }
  },
  ONE_NODE_PARTITIONED("node 0 partitioned from Redis (blackhole), node 1 not", Topology.STANDALONE, true, false) {
    @Override
    Heal inject(Deployment d) {
      d.proxy(0).partition();
      return () -> d.proxy(0).heal();
    }
  },
  POSTGRES_RESTARTED("PostgreSQL stopped (fast shutdown), then started", Topology.STANDALONE, true, false) {
    @Override
    Heal inject(Deployment d) {
      d.db.server().stop();
      return () -> d.db.server().restart();
    }
  },
  POOL_EXHAUSTED("node 0's pool held by slow queries (pg_sleep), node 1 not", Topology.STANDALONE, true, false) {
    @Override
    Heal inject(Deployment d) {
      Node node = d.nodes().get(0);
      List<Thread> holders = new ArrayList<>();
      for (int i = 0; i < SourceOfTruth.POOL_SIZE; i++) {
        holders.add(
            Thread.ofVirtual()
                .name("slow-query-" + i)
                .start(
                    () -> {
                      try {
                        node.rows.slowQuery(Duration.ofMinutes(1));
                      } catch (SQLException e) {
                        // cancelled on heal
                      }
                    }));
      }
      Poll.until(Duration.ofSeconds(5), () -> d.db.activeSlowQueries() >= SourceOfTruth.POOL_SIZE);
      return () -> {
        d.db.cancelSlowQueries();
        for (Thread holder : holders) {
          try {
            holder.join(Duration.ofSeconds(10));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      };
    }
  },
  SENTINEL_FAILOVER("Sentinel failover of the primary (SENTINEL FAILOVER)", Topology.SENTINEL, false, true) {
    @Override
    Heal inject(Deployment d) {
      d.sentinel().failover();
      return () -> {}; // the failover has completed when it returns
    }
  },
  CLUSTER_PRIMARY_KILLED("Cluster primary killed (SIGKILL), its replica promoted", Topology.CLUSTER, false, true) {
    @Override
    Heal inject(Deployment d) {
      RedisServer victim = d.cluster().owner(slotOf(d, 0));
      RedisServer replica = d.cluster().replicas().get(d.cluster().nodes().indexOf(victim));
      victim.kill();
      // Healed once the cluster promoted the replica (after its node timeout).
      return () -> d.cluster().awaitPromotion(replica, Duration.ofSeconds(60));
    }
  },
  CLUSTER_SLOT_MIGRATION("Cluster slots of 20 hot items migrated round after round (ASK, then MOVED)",
      Topology.CLUSTER, true, false) {
    @Override
    Heal inject(Deployment d) {
      Set<Integer> slots = new LinkedHashSet<>();
      for (int id = 0; id < 20; id++) {
        slots.add(slotOf(d, id));
      }
      AtomicBoolean migrating = new AtomicBoolean(true);
      AtomicLong moved = new AtomicLong();
      Thread mover =
          Thread.ofPlatform()
              .name("slot-mover")
              .daemon()
              .start(
                  () -> {
                    // Each slot moves on to the next master, again and again, until the heal.
                    while (migrating.get()) {
                      for (int slot : slots) {
                        if (!migrating.get()) {
                          return;
                        }
                        RedisServer from = d.cluster().owner(slot);
                        List<RedisServer> masters = d.cluster().nodes();
                        RedisServer to = masters.get((masters.indexOf(from) + 1) % masters.size());
                        try {
                          d.cluster().migrateSlot(slot, to);
                          moved.incrementAndGet();
                        } catch (RuntimeException e) {
                          d.note("a slot migration failed: " + e.getMessage());
                          return;
                        }
                      }
                    }
                  });
      return () -> {
        migrating.set(false);
        try {
          mover.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        d.note("slot migrations: " + moved.get());
      };
    }
  };

  private final String description;
  private final Topology topology;
  private final boolean held;
  private final boolean redisDataMayBeLost;

  Fault(String description, Topology topology, boolean held, boolean redisDataMayBeLost) {
    this.description = description;
    this.topology = topology;
    this.held = held;
    this.redisDataMayBeLost = redisDataMayBeLost;
  }

  /** Ends a fault: returns once the fault's own cause is gone (not once the nodes recovered). */
  @FunctionalInterface
  interface Heal {
    void run();
  }

  /** Starts the fault; returns what ends it. */
  abstract Heal inject(Deployment d);

  String description() {
    return description;
  }

  Topology topology() {
    return topology;
  }

  /** Whether the fault lasts the run's hold time (false: it ends when its event completes). */
  boolean held() {
    return held;
  }

  /**
   * Whether Redis itself may lose acknowledged data in this fault (a restart without persistence,
   * a promotion of an asynchronous replica): sessions and queued write-behind entries with it.
   */
  boolean redisDataMayBeLost() {
    return redisDataMayBeLost;
  }

  /** The cluster slot of item {@code id}'s cache key (its hash tag is the key). */
  static int slotOf(Deployment d, int id) {
    String slot = d.cluster().nodes().get(0).command("CLUSTER", "KEYSLOT", "{" + LoadGenerator.ITEM_PREFIX + id + "}");
    return Integer.parseInt(String.valueOf(slot));
  }
}
