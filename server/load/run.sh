#!/usr/bin/env bash
# Load measurement of a cached list endpoint against the same endpoint with caching turned off.
#
# Starts the built jar twice (SERVER_CACHE=on, then SERVER_CACHE=off), each on a free port with
# the demo data and its own embedded PostgreSQL and Redis, signs in as admin@acme.test with curl,
# warms up, then runs wrk on GET /api/v1/tenants/{acme}/users?size=20 with the session cookie and
# prints requests/s and p99 latency of both runs and their ratio.
#
# Usage (from the repository root, after `mvn -pl server -am package -DskipTests`):
#   server/load/run.sh
# Knobs (environment): JAR, DURATION (default 30s), WARMUP (10s), THREADS (2), CONNECTIONS (32).
# Needs: JAVA_HOME naming a JDK 21+ (the default java may be older), curl, wrk, python3.
set -euo pipefail

cd "$(dirname "$0")/../.."
source bench/jdk.sh   # JAVA, from JAVA_HOME (21 or newer)

JAR=${JAR:-server/target/tierstate-server.jar}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WORK=$(mktemp -d)
SERVER_PID=""

for tool in java curl wrk python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done
[[ -f "$JAR" ]] || { echo "run.sh: $JAR not found; build it with: mvn -pl server -am package -DskipTests" >&2; exit 2; }

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints "<requests/s> <p99 in ms>" for one wrk report on stdin.
parse_wrk() {
  python3 -c '
import re, sys
text = sys.stdin.read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
print(rps, round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 3))'
}

# measure on|off: starts the server, signs in, warms up, measures; prints "<req/s> <p99 ms>".
measure() {
  local mode=$1 port base log tenant token
  port=$(free_port)
  base="http://127.0.0.1:$port"
  log="$WORK/server-$mode.log"
  # The API limit is raised (a million a second) so that wrk measures the endpoint, not 429s; the access log is off
  # (LOG_LEVEL=WARN) so that writing a line per request does not dominate.
  SERVER_CACHE=$mode PORT=$port TIERSTATE_DEMO=true API_RATE_LIMIT=1000000 API_RATE_WINDOW=1s LOG_LEVEL=WARN \
    JWT_SECRET=load-test-secret-0123456789abcdef0123456789 \
    "$JAVA" -XX:+UseParallelGC -jar "$JAR" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server ($mode) died:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  curl -fs "$base/health" >/dev/null || { echo "server ($mode) did not become healthy" >&2; cat "$log" >&2; exit 1; }
  curl -fs -c "$WORK/cookies-$mode" -H "Origin: $base" -H 'Content-Type: application/json' \
    -d '{"email":"admin@acme.test","password":"tierstate-demo"}' "$base/api/v1/auth/login" >"$WORK/login-$mode.json"
  tenant=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tenant"]["id"])' "$WORK/login-$mode.json")
  token=$(awk '$6 == "accessToken" { print $7 }' "$WORK/cookies-$mode")
  local url="$base/api/v1/tenants/$tenant/users?size=20"
  curl -fs -H "Cookie: accessToken=$token" "$url" >/dev/null || { echo "the list endpoint failed ($mode)" >&2; exit 1; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: accessToken=$token" "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: accessToken=$token" "$url" >"$WORK/wrk-$mode.txt"
  if grep -q "Non-2xx" "$WORK/wrk-$mode.txt"; then
    echo "wrk saw non-2xx answers ($mode):" >&2; cat "$WORK/wrk-$mode.txt" >&2; exit 1
  fi
  cat "$WORK/wrk-$mode.txt" >&2
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  parse_wrk <"$WORK/wrk-$mode.txt"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up) on GET /api/v1/tenants/{acme}/users?size=20" >&2
read -r on_rps on_p99 < <(measure on)
read -r off_rps off_p99 < <(measure off)
python3 - "$on_rps" "$on_p99" "$off_rps" "$off_p99" <<'PY'
import sys
on_rps, on_p99, off_rps, off_p99 = map(float, sys.argv[1:])
print(f"{'caching':<10}{'requests/s':>12}{'p99 (ms)':>12}")
print(f"{'on':<10}{on_rps:>12.0f}{on_p99:>12.2f}")
print(f"{'off':<10}{off_rps:>12.0f}{off_p99:>12.2f}")
print(f"ratio on/off: {on_rps / off_rps:.2f}x requests/s, p99 {off_p99 / on_p99:.2f}x lower")
PY
