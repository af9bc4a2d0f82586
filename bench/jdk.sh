# Sourced by the benchmark and load scripts: sets JAVA to the JDK that JAVA_HOME names, and fails
# clearly when JAVA_HOME is unset or older than 21 (a machine's default `java` may be 17, which
# cannot run these jars; Maven uses JAVA_HOME too).
if [[ -z ${JAVA_HOME:-} || ! -x $JAVA_HOME/bin/java ]]; then
  echo "set JAVA_HOME to a JDK 21 or newer, e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64" >&2
  exit 1
fi
JAVA="$JAVA_HOME/bin/java"
jdk_major=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }')
if ((jdk_major < 21)); then
  echo "JAVA_HOME ($JAVA_HOME) is Java $jdk_major; these jars need 21 or newer" >&2
  exit 1
fi
