#!/usr/bin/env bash
# The console's live-invalidation benchmark: a PATCH answered by server instance A until browser B
# (headless Chromium, signed in on instance B) shows the new value, over CHANGES changes (default
# 100), plus the gzipped size of the JavaScript the console ships. It runs through
# ConsoleEndToEndIT#liveInvalidationLatencyBenchmark, which starts a real PostgreSQL, Redis and
# two processes of the server jar, then writes the result into docs/benchmarks.md (between the
# console-bench markers) and into the bench resource that `bench/run.sh --full` copies into the
# same file, so neither run erases the other's figures.
#
#   bench/console.sh            # CHANGES=300 bench/console.sh for more samples
set -euo pipefail

cd "$(dirname "$0")/.."
CHANGES="${CHANGES:-100}"
REPORT=server/target/console-bench.md
SECTION=bench/src/main/resources/io/tierstate/bench/benchmarks-console.md

mvn -q -B -pl server -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='ConsoleEndToEndIT#liveInvalidationLatencyBenchmark' -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dconsole.bench=true -Dconsole.bench.changes="$CHANGES"
[ -s "$REPORT" ] || { echo "no report at $REPORT; see server/target/console-bench.log" >&2; exit 1; }

{
  echo '<!-- console-bench:start -->'
  echo '### The console: live invalidation into a browser on another instance'
  echo
  echo "Measured by \`bench/console.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg):"
  echo "two processes of the server jar on one PostgreSQL and one Redis, browser B (headless Chromium,"
  echo "signed in on instance B, the users page open) and the changes sent to instance A from Node."
  echo "Each sample is the time from the PATCH's answer to the moment B's page shows the new name"
  echo "(a mutation observer in the page; both clocks are this machine's). Targets: p99 under 250 ms,"
  echo "JavaScript under 200 KB gzipped."
  echo
  sed 's/^/    /' "$REPORT"
  echo '<!-- console-bench:end -->'
} > "$SECTION"

python3 bench/splice-section.py console-bench "$SECTION" docs/benchmarks.md
cat "$REPORT"
echo "Wrote $SECTION and docs/benchmarks.md"
