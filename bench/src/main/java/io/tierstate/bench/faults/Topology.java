package io.tierstate.bench.faults;

/** The Redis deployment a fault runs on. */
enum Topology {
  /** One Redis server; each node reaches it through a {@link io.tierstate.testkit.FaultProxy} of its own. */
  STANDALONE("standalone, a proxy per node"),
  /** A primary, a replica and three Sentinels; nodes connect through the Sentinels. */
  SENTINEL("Sentinel: primary, replica, 3 sentinels"),
  /** Three masters with a replica each; nodes connect as cluster clients. */
  CLUSTER("Cluster: 3 masters, 1 replica each");

  private final String label;

  Topology(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
