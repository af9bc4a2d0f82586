#!/usr/bin/env bash
# Compares two revisions on the hot paths in one run: the L1 hit and the L2 hit (GetBenchmark, one
# thread, 10,000 keys, uniform) and getAll of 100 keys (GetAllScenario), each revision's figure as a
# ratio to its own reference measured in the same JVM (Caffeine alone for the hits, raw Lettuce MGET
# for getAll), in rounds that alternate the revisions so they share the machine's noise.
#
#   bench/compare.sh BASE [HEAD] [ROUNDS]     e.g. bench/compare.sh 7d4390c HEAD 2
#
# Then RevisionAB: the L1 hit of both revisions in one JVM, in alternating 100 ms slices, which a
# noisy machine cannot tilt toward one of them (see its Javadoc).
#
# Builds each revision's benchmarks jar in a temporary git worktree (target/compare/); writes the
# JMH results there and prints a table (bench/compare.py). Uses REDIS_URL if set, else each run
# starts its own redis-server.
set -euo pipefail

cd "$(dirname "$0")/.."
BASE=${1:?usage: bench/compare.sh BASE [HEAD] [ROUNDS]}
HEAD=${2:-HEAD}
ROUNDS=${3:-2}
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)
OUT=target/compare
mkdir -p "$OUT"

jar_of() {
  local rev=$1 sha tree
  sha=$(git rev-parse --short "$rev")
  tree="$OUT/tree-$sha"
  if [[ ! -f $OUT/bench-$sha.jar ]]; then
    rm -rf "$tree"
    git worktree add --detach -f "$tree" "$sha" >/dev/null 2>&1
    # Maven's output goes to stderr: this function's stdout is the revision's name.
    (cd "$tree" && mvn -q -B -Dstyle.color=never -pl bench -am package -DskipTests -Dspotless.check.skip=true) >&2
    cp "$tree/bench/target/benchmarks.jar" "$OUT/bench-$sha.jar"
    git worktree remove --force "$tree"
  fi
  echo "$sha"
}

base=$(jar_of "$BASE")
head=$(jar_of "$HEAD")
echo "== comparing $base (base) with $head (head), $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for sha in "$base" "$head"; do
    echo "-- round $round, $sha"
    "$JAVA" -jar "$OUT/bench-$sha.jar" 'GetBenchmark.oneThread' \
      -p implementation=CAFFEINE,TIERSTATE_L1,LETTUCE_JACKSON,TIERSTATE_L2 -p keys=UNIFORM \
      -f 1 -wi 2 -w 2s -i 3 -r 2s -rf json -rff "$OUT/get-$sha-$round.json" >"$OUT/get-$sha-$round.log" 2>&1
    "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$OUT/bench-$sha.jar" \
      io.tierstate.bench.GetAllScenario >"$OUT/getall-$sha-$round.md" 2>"$OUT/getall-$sha-$round.log"
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/compare.py "$OUT" "$base" "$head" "$ROUNDS"

# The L1 hit once more, both revisions in one JVM in alternating 100 ms slices (RevisionAB): the
# JMH figures above are minutes apart, and a noisy machine moves them by more than the difference.
if "$JAVA_HOME/bin/jar" tf "$OUT/bench-$head.jar" | grep -qx io/tierstate/bench/RevisionAB.class; then
  echo
  "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$OUT/bench-$head.jar" \
    io.tierstate.bench.RevisionAB "$OUT/bench-$base.jar" "$OUT/bench-$head.jar" 60 2>"$OUT/ab.log"
else
  echo "(head $head has no RevisionAB: the interleaved L1 comparison needs a head from 2026-12-03 on)"
fi
