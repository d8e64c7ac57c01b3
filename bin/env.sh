# Sourced by Berth's scripts: selects JDK 25 (Berth's target) whatever the default java is.
if [ -z "${BERTH_JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-openjdk-*; do
    if [ -x "$d/bin/java" ]; then BERTH_JAVA_HOME=$d; break; fi
  done
fi
if [ -z "${BERTH_JAVA_HOME:-}" ] || [ ! -x "$BERTH_JAVA_HOME/bin/java" ]; then
  echo "berth: JDK 25 not found (set BERTH_JAVA_HOME)" >&2
  exit 1
fi
export JAVA_HOME=$BERTH_JAVA_HOME
BERTH_JAVA=$BERTH_JAVA_HOME/bin/java
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
BERTH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
