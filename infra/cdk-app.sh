#!/bin/sh
# The app command of cdk.json: runs the CDK app on the class path the Maven build wrote, so a
# synthesis does not start Maven (and gets no colour codes on stdout).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
classpath_file="$here/target/app-classpath.txt"
if [ ! -f "$classpath_file" ] || [ ! -d "$here/target/classes" ]; then
  echo "edgewire: the CDK app is not built yet. Build it (and the handlers' jar) first:" >&2
  echo "  ./mvnw -B package -pl infra -am -DskipTests" >&2
  exit 1
fi
# The handlers target Java 21: use JAVA_HOME's java when set (the system java may be older).
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${version%%.*}" -lt 21 ] 2>/dev/null || [ -z "$version" ]; then
  echo "edgewire: the CDK app needs Java 21 or newer, but $java is Java ${version:-unknown}." >&2
  echo "  Point JAVA_HOME at a JDK 21+, for example: export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64" >&2
  exit 1
fi
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
exec "$java" -cp "$here/target/classes:$(cat "$classpath_file")" dev.edgewire.infra.EdgewireApp
