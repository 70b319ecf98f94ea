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
# The handlers target Java 21; the system java may be older (bin/find-java.sh looks for one).
. "$here/../bin/find-java.sh"
edgewire_find_java "edgewire CDK app"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
exec "$java" -cp "$here/target/classes:$(cat "$classpath_file")" dev.edgewire.infra.EdgewireApp
