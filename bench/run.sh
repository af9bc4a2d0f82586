#!/usr/bin/env bash
# Builds the benchmarks and runs them.
#
#   bench/run.sh --full          every scenario, JMH throughput included (about 12 minutes on
#                                2 cores); writes docs/benchmarks.md
#   bench/run.sh --quick         every scenario briefly, checking only correctness (about 15 s;
#                                the test command runs the same through ScenariosIntegrationTests)
#   bench/run.sh --l1 [JMH options]
#                                L1HitBenchmark (an L1 hit in 12 shapes against Caffeine alone and
#                                Caffeine with a per-entry expiry, and with hot-key sampling on
#                                and off, -prof gc), then its table (bench/l1ratios.py); default
#                                options -f 1 -wi 1 -w 1s -i 3 -r 1s
#   bench/run.sh --l1-interleaved [rounds]
#                                the same twelve shapes with every subject in one JVM, reading in
#                                turn 100 ms at a time (L1HitInterleaved): ratios a noisy machine
#                                cannot tilt, with a Caffeine-against-Caffeine noise column (about 8 min)
#   bench/run.sh --l1-profile [keys,distribution,threads] [rounds]
#                                one shape of it (default 10000,zipf,1, 60 rounds) under JFR, then
#                                each subject's samples by method (bench/l1profile.py)
#   bench/run.sh --scaling       the cost curves (tag and pattern invalidation by size,
#                                propagation by node count, memory per entry, write-behind by
#                                node count; about 8 minutes); writes docs/scaling.md and
#                                docs/scaling/*.png
#   bench/run.sh --scaling-quick every curve at its smallest size, checking only correctness
#   bench/run.sh [JMH options]   GetBenchmark alone, then its ratio table (bench/ratios.py);
#                                default options -f 1 -wi 2 -w 2s -i 3 -r 3s
#
# Uses REDIS_URL if set, else starts its own redis-server (never the system one on 6379).
# TIERSTATE_* variables (see TierstateConfig) apply to the Tierstate subjects.
set -euo pipefail

cd "$(dirname "$0")/.."
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)
JAR=bench/target/benchmarks.jar

mvn -q -B -pl bench -am package -DskipTests

case "${1:-}" in
  --full|--quick)
    exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
      io.tierstate.bench.Scenarios "$1" --out docs/benchmarks.md
    ;;
esac

case "${1:-}" in
  --scaling)
    exec "$JAVA" -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
      io.tierstate.bench.ScalingCurves --full --out docs/scaling.md
    ;;
  --scaling-quick)
    exec "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
      io.tierstate.bench.ScalingCurves --quick
    ;;
esac

if [ "${1:-}" = --l1-interleaved ]; then
  shift
  exec "$JAVA" -Xmx6g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
    io.tierstate.bench.L1HitInterleaved "$@"
fi

if [ "${1:-}" = --l1-profile ]; then
  # One shape of the interleaved L1 hit under JFR (a sample every millisecond), then each subject's
  # time split by method: where a Tierstate hit spends what Caffeine's read does not.
  shift
  SHAPE=${1:-10000,zipf,1}
  ROUNDS=${2:-60}
  JFR_FILE=bench/target/l1-profile.jfr
  mkdir -p bench/target
  "$JAVA" -Xmx6g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    "-XX:StartFlightRecording=filename=$JFR_FILE,settings=profile,jdk.ExecutionSample#period=1ms" \
    -cp "$JAR" io.tierstate.bench.L1HitInterleaved "$ROUNDS" "$SHAPE"
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$JFR_FILE" \
    | python3 bench/l1profile.py
  exit
fi

if [ "${1:-}" = --l1 ]; then
  shift
  if [ $# -eq 0 ]; then
    set -- -f 1 -wi 1 -w 1s -i 3 -r 1s
  fi
  echo "== L1HitBenchmark ($*), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA" -jar "$JAR" L1HitBenchmark -prof gc "$@" -rf json -rff bench/target/jmh-l1.json \
    2>&1 | tee bench/target/jmh-l1.log
  echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 bench/l1ratios.py bench/target/jmh-l1.json
  exit
fi

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
