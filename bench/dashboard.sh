#!/usr/bin/env bash
# What a dashboard viewer costs the server, and how fast the endpoints that feed the page answer:
# DashboardBenchmarkIT starts a real PostgreSQL, Redis and one process of the server jar, reads the
# server process's CPU time over alternating phases of nobody watching and five viewers polling as
# the console's dashboard page does (ROUNDS rounds of PHASE seconds each, default 4 and 30), after
# asking each endpoint 2000 times back to back (interleaved, with the session check as a control;
# this also warms the JIT up), each time from java.net.http and from a keep-alive socket client,
# with the server's own time per request from its Server-Timing header (SERVER_TIMING=true). The
# result goes into docs/benchmarks.md (between the dashboard-bench markers) and into the bench
# resource that `bench/run.sh --full` copies into the same file, so neither run erases the other's
# figures.
#
#   bench/dashboard.sh            # ROUNDS=6 PHASE=60 bench/dashboard.sh for a steadier figure
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/jdk.sh
ROUNDS="${ROUNDS:-4}"
PHASE="${PHASE:-30}"
REPORT=server/target/dashboard-bench.md
SECTION=bench/src/main/resources/io/tierstate/bench/benchmarks-dashboard.md

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rm -f "$REPORT"
mvn -q -B -o -pl server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='DashboardBenchmarkIT' -Dfailsafe.failIfNoSpecifiedTests=false \
  -Ddashboard.bench=true -Ddashboard.bench.rounds="$ROUNDS" -Ddashboard.bench.phaseSeconds="$PHASE"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
[ -s "$REPORT" ] || { echo "no report at $REPORT; see server/target/failsafe-reports" >&2; exit 1; }

{
  echo '<!-- dashboard-bench:start -->'
  echo '### The operations dashboard: what a viewer costs the server'
  echo
  echo "Measured by \`bench/dashboard.sh\` (ROUNDS=$ROUNDS PHASE=$PHASE) on $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores,"
  echo "load average $load_before at the start and $load_after at the end (1, 5, 15 min; the machine is shared)."
  echo "One process of the server jar on one PostgreSQL and one Redis; five viewers (two tenant cache"
  echo "admins twice, one platform administrator) poll from the benchmark's JVM exactly as the page does:"
  echo "\`GET /api/v1/dashboard?since=<last seq>\` and \`/api/v1/dashboard/regions\` every 2 s,"
  echo "\`/api/v1/dashboard/nodes\` every 5 s. CPU is the server process's own (user + system, from"
  echo "\`/proc/<pid>/stat\`), idle and watched phases alternating in the same run, after the latency rounds"
  echo "(which warm the JIT up). Targets: a viewer at most 1 % of one core; every endpoint that feeds the"
  echo "page under 5 ms at p99. The server runs with \`SERVER_TIMING=true\`: the last table splits each"
  echo "back-to-back request into the server's own time (its \`Server-Timing\` header) and the rest, and"
  echo "asks every request a second time from a keep-alive socket client, to tell java.net.http's cost"
  echo "from the server's."
  echo
  cat "$REPORT"
  echo '<!-- dashboard-bench:end -->'
} > "$SECTION"

python3 bench/splice-section.py dashboard-bench "$SECTION" docs/benchmarks.md
cat "$REPORT"
echo "Wrote $SECTION and docs/benchmarks.md"
