package io.tierstate.bench.faults;

import java.util.List;
import java.util.Map;

/**
 * What one fault did to the nodes under load, as the checker measured it.
 *
 * @param fault the fault
 * @param faultMillis how long the fault lasted, from injection to heal
 * @param calls calls answered over the whole run (before, during and after)
 * @param outcomesDuring answers by outcome of the calls that started during the fault
 * @param outcomesAfter answers by outcome of the calls that started after the heal
 * @param outcomesBefore answers by outcome of the calls that started before the fault
 * @param p99 the p99 latency of every call, before, during and after the fault
 * @param reconnectMillis the heal to the moment the slower node reached Redis and read the log
 *     again, or -1 if one never did within the bound
 * @param healthyMillis the heal to the moment every node was healthy, or -1 if not within the bound
 * @param readsCheckedAfterHeal reads that started at least the propagation bound after the node
 *     that served them reconnected
 * @param staleReadsAfterHeal those of them that returned a version older than a write acknowledged
 *     at least the propagation bound before the read started
 * @param staleReadsDuring the same rule applied to the reads between the fault and that point
 *     (inside the documented degraded window)
 * @param staleEntriesAtEnd entries a node held or served, after the load stopped and the bound
 *     passed, that differ from PostgreSQL
 * @param writeBehindAcknowledged write-behind writes acknowledged to their caller
 * @param writeBehindKeysLost write-behind keys whose latest acknowledged version never reached
 *     PostgreSQL
 * @param writeBehindOlderDeliveries write-behind entries written over a newer value of their key
 *     (the write-behind's versions promise none to a writer that guards its upsert with them;
 *     older entries the guard refused are in the notes)
 * @param writeBehindDeadLetters entries dead-lettered after failing every retry (-1: unknown)
 * @param sessionsBefore sessions created before the fault
 * @param sessionsKept those still found after it, on the other node
 * @param unexpected the first message of each 500 outcome
 * @param notes facts the fault recorded about itself
 */
record FaultResult(
    Fault fault,
    long faultMillis,
    long calls,
    Map<String, Long> outcomesBefore,
    Map<String, Long> outcomesDuring,
    Map<String, Long> outcomesAfter,
    P99 p99,
    long reconnectMillis,
    long healthyMillis,
    long readsCheckedAfterHeal,
    long staleReadsAfterHeal,
    long staleReadsDuring,
    long staleEntriesAtEnd,
    long writeBehindAcknowledged,
    long writeBehindKeysLost,
    long writeBehindOlderDeliveries,
    long writeBehindDeadLetters,
    int sessionsBefore,
    int sessionsKept,
    Map<String, String> unexpected,
    List<String> notes) {

  /** The p99 latency in milliseconds of the calls that started in each phase (NaN: none). */
  record P99(double before, double during, double after) {}

  /** Calls answered with a 500 (the suite allows none). */
  long serverErrors() {
    long count = 0;
    for (Map<String, Long> phase : List.of(outcomesBefore, outcomesDuring, outcomesAfter)) {
      for (Map.Entry<String, Long> e : phase.entrySet()) {
        if (Outcomes.isServerError(e.getKey())) {
          count += e.getValue();
        }
      }
    }
    return count;
  }
}
