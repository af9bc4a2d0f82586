#!/usr/bin/env bash
# Builds the benchmarks, runs GetBenchmark and the stampede scenario, and prints the ratio table.
#
#   bench/run.sh                 short defaults for a small machine: -f 1 -wi 2 -w 2s -i 3 -r 3s
#   bench/run.sh -f 2 -i 5 ...   JMH options of your own, used instead of the defaults
#
# Uses REDIS_URL if set, else starts a redis-server for each JMH fork. TIERSTATE_* variables
# (see TierstateConfig) apply to the Tierstate adapters. Results land in bench/target/.
set -euo pipefail

cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR=bench/target/benchmarks.jar
RESULTS=bench/target/jmh-get.json
LOG=bench/target/jmh-get.log

mvn -q -B -pl bench -am package -DskipTests

if [ $# -eq 0 ]; then
  set -- -f 1 -wi 2 -w 2s -i 3 -r 3s
fi

echo "== GetBenchmark ($*)"
"$JAVA" -jar "$JAR" GetBenchmark "$@" -rf json -rff "$RESULTS" 2>&1 | tee "$LOG"

echo
echo "== Stampede"
"$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$JAR" io.tierstate.bench.StampedeScenario

echo
echo "== GetBenchmark ratios"
python3 bench/ratios.py "$RESULTS"
if grep -q '^BENCH WARNING' "$LOG"; then
  echo
  echo "Measurement warnings (the tier measured did not answer every read):"
  grep '^BENCH WARNING' "$LOG" | sed 's/^/  /'
fi
