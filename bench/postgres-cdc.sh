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
# Then (--full only) figure (b) through the reference server's real event stream: two instances
# with SERVER_CDC=on, a signed-in client reading GET /api/v1/events on each, and an outside writer's
# SSE_COMMITS commits (default 1,000), timed from COMMIT to the SSE invalidate event read by the
# client (ChangeStreamEventLatencyIntegrationTests in the server module, a few minutes with the
# build). Its section goes between the cdc-sse-bench markers, and into its own bench resource.
#
#   bench/postgres-cdc.sh            # --full
#   bench/postgres-cdc.sh --quick    # a few seconds, checking correctness only
#
# Uses REDIS_URL if set, else starts its own redis-server; always starts its own PostgreSQL.
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)
JAR=bench/target/benchmarks.jar
MODE="${1:---full}"

mvn -q -B -o -pl bench -am package -DskipTests
"$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
  io.tierstate.bench.ChangeStreamBenchmark "$MODE" --out docs/benchmarks.md
[[ $MODE == --full ]] || exit 0

SSE_COMMITS="${SSE_COMMITS:-1000}"
REPORT="$PWD/server/target/cdc-sse-bench.md"
SECTION=bench/src/main/resources/io/tierstate/bench/benchmarks-cdc-sse.md
rm -f "$REPORT"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mvn -q -B -o -pl server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChangeStreamEventLatencyIntegrationTests -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dcdc.sse.commits="$SSE_COMMITS" -Dcdc.sse.report="$REPORT"
[ -s "$REPORT" ] || { echo "no report at $REPORT; see server/target/failsafe-reports" >&2; exit 1; }

{
  echo '<!-- cdc-sse-bench:start -->'
  echo "### The change stream's browser-facing event, through the server's SSE stream"
  echo
  echo "Measured by \`bench/postgres-cdc.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $load_before at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  cat "$REPORT"
  echo '<!-- cdc-sse-bench:end -->'
} > "$SECTION"

python3 bench/splice-section.py cdc-sse-bench "$SECTION" docs/benchmarks.md cdc-bench
cat "$SECTION"
echo "Wrote $SECTION and docs/benchmarks.md"
