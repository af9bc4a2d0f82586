#!/usr/bin/env bash
# Invalidation from PostgreSQL's change stream (module postgres), measured: an outside writer (plain
# JDBC) commits 1,000 updates one at a time, and the time from COMMIT to both nodes' L1 dropping the
# key and to the InvalidationEvent (what the server's event hub pushes to browsers) is recorded
# (p50/p90/p99); then the consumer's throughput in row changes per second over three bursts, and the
# consistency auditor's cost per sample with a verifier that re-reads PostgreSQL. About a minute.
# Writes its section into docs/benchmarks.md (between the cdc-bench markers) and into the bench
# resource that `bench/run.sh --full` copies into the same file, so neither run erases the other's.
# Its quick form runs in the test command (ChangeStreamBenchmarkIntegrationTests).
#
#   bench/postgres-cdc.sh            # --full
#   bench/postgres-cdc.sh --quick    # a few seconds, checking correctness only
#
# Uses REDIS_URL if set, else starts its own redis-server; always starts its own PostgreSQL.
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)
JAR=bench/target/benchmarks.jar

mvn -q -B -o -pl bench -am package -DskipTests
exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
  io.tierstate.bench.ChangeStreamBenchmark "${1:---full}" --out docs/benchmarks.md
