#!/usr/bin/env bash
# The fault suite under load (issue 16): two library nodes serve a bounded mixed load (cached reads,
# writes with invalidation, tag invalidations, rate-limited calls, locks, write-behind writes,
# sign-ins) while one fault at a time hits Redis, the network between a node and Redis, or
# PostgreSQL; a checker records every answer and version and compares the nodes with PostgreSQL
# after the heal. Starts its own Redis (standalone, Sentinel, Cluster) and PostgreSQL.
#
#   bench/faults.sh                   every fault, full durations (about 5 to 8 minutes); writes the table
#                                     into docs/reliability.md between the faults markers
#   bench/faults.sh --quick           every fault with short durations; prints the table only
#   bench/faults.sh --faults REDIS_PAUSED,ONE_NODE_PARTITIONED   only those (prints only)
#
# The test command runs a short form of four faults (FaultSuiteIntegrationTests).
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)
JAR=bench/target/benchmarks.jar

mvn -q -B -o -pl bench -am package -DskipTests
exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
  io.tierstate.bench.faults.FaultSuite "$@"
