#!/usr/bin/env bash
# The Spring Boot catalog (examples/spring-boot) side by side with three cache managers: Tierstate's,
# Spring Data Redis's RedisCacheManager and Caffeine alone. Two instances of the service (each its
# own application context and Tomcat on loopback) share one PostgreSQL and one Redis; reader threads
# in a Java load generator (java.net.http) read products, one writer updates them through either
# instance. It runs through CatalogBenchmarkIntegrationTests (whose few-second form is part of `mvn verify`),
# then writes the table into docs/benchmarks.md (between the spring-bench markers) and into the bench
# resource that `bench/run.sh --full` copies into the same file, so neither run erases the other's.
#
#   bench/spring.sh                         # SECONDS_PER_RUN=20 ROUNDS=2 READERS=8 by default
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${SECONDS_PER_RUN:-20}"
ROUNDS="${ROUNDS:-2}"
READERS="${READERS:-8}"
REPORT=examples/spring-boot/target/spring-bench.md
SECTION=bench/src/main/resources/io/tierstate/bench/benchmarks-spring.md

rm -f "$REPORT"
status=0
mvn -q -B -pl examples/spring-boot -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=CatalogBenchmarkIntegrationTests -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dcatalog.bench.seconds="$SECONDS_PER_RUN" -Dcatalog.bench.rounds="$ROUNDS" -Dcatalog.bench.readers="$READERS" \
  || status=$?
# The figures are written before the test checks their shape: a failed check still reports them, and fails the script.
[ -s "$REPORT" ] || { echo "no report at $REPORT; see examples/spring-boot/target/failsafe-reports" >&2; exit 1; }

{
  echo '<!-- spring-bench:start -->'
  echo '### Spring Boot: one service, three cache managers'
  echo
  echo "Measured by \`bench/spring.sh\` on $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "at the end: the catalog of \`examples/spring-boot\` (\`@Cacheable(sync = true)\` reads, \`@CacheEvict\` writes,"
  echo "entries live 60 s), the same code with Tierstate's \`CacheManager\`, Spring Data Redis's \`RedisCacheManager\`"
  echo "or Caffeine alone. Two instances (application contexts with their own Tomcat, L1 and connection pools, in"
  echo "one JVM with the load generator) share one PostgreSQL and one Redis. Readers in a closed loop over HTTP"
  echo "on loopback pick an instance at random and a product, 90% among 100 hot ones of 1,000; one writer"
  echo "updates a hot product every 20 ms (and at most once per 40 reads) through either instance in turn. p50/p99 are HTTP read latencies"
  echo "as the load generator sees them. DB queries count every query the instances send to PostgreSQL"
  echo "(the writer's updates included) per 1,000 requests (reads and writes). A read is **stale** when it returns a"
  echo "version older than one whose update was acknowledged (its PUT answered) more than 100 ms before the read was sent."
  echo
  cat "$REPORT"
  echo '<!-- spring-bench:end -->'
} > "$SECTION"

python3 bench/splice-section.py spring-bench "$SECTION" docs/benchmarks.md
cat "$REPORT"
echo "Wrote $SECTION and docs/benchmarks.md"
[ "$status" -eq 0 ] || echo "CatalogBenchmarkIntegrationTests failed (exit $status): see examples/spring-boot/target/failsafe-reports" >&2
exit "$status"
