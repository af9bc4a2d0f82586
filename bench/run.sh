#!/usr/bin/env bash
# Builds the benchmarks and runs them.
#
#   bench/run.sh --full          every scenario, JMH throughput included (about 12 minutes on
#                                2 cores); writes docs/benchmarks.md
#   bench/run.sh --quick         every scenario briefly, checking only correctness (about 15 s;
#                                the test command runs the same through ScenariosTest)
#   bench/run.sh [JMH options]   GetBenchmark alone, then its ratio table (bench/ratios.py);
#                                default options -f 1 -wi 2 -w 2s -i 3 -r 3s
#
# Uses REDIS_URL if set, else starts its own redis-server (never the system one on 6379).
# TIERSTATE_* variables (see TierstateConfig) apply to the Tierstate subjects.
set -euo pipefail

cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=bench/target/benchmarks.jar

mvn -q -B -pl bench -am package -DskipTests

case "${1:-}" in
  --full|--quick)
    exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
      io.tierstate.bench.Scenarios "$1" --out docs/benchmarks.md
    ;;
esac

RESULTS=bench/target/jmh-get.json
LOG=bench/target/jmh-get.log
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 2 -w 2s -i 3 -r 3s
fi
echo "== GetBenchmark ($*)"
"$JAVA" -jar "$JAR" GetBenchmark "$@" -rf json -rff "$RESULTS" 2>&1 | tee "$LOG"
echo
echo "== GetBenchmark ratios"
python3 bench/ratios.py "$RESULTS"
if grep -q '^BENCH WARNING' "$LOG"; then
  echo
  echo "Measurement warnings (the tier measured did not answer every read):"
  grep '^BENCH WARNING' "$LOG" | sed 's/^/  /'
fi
