# Sourced by the launchers and .ci/run (POSIX sh): finds a JDK 21 or newer and sets
#   java          its java command
#   java_version  its feature version (21, 25, ...)
#   JAVA_HOME     its home, exported, so the Maven wrapper the launchers run uses it too
# It tries $JAVA_HOME, then the java on PATH, then the usual install folders (the newest there), says
# on stderr which one it uses, and stops the launcher with a clear message only when there is none.
# $1 names the launcher in its messages.

edgewire_java_version() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

# The feature version of the JDK in home $1, or nothing when it is not a JDK 21 or newer (the
# launchers build with the Maven wrapper, so a runtime without javac will not do).
edgewire_java21() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  v=$(edgewire_java_version "$1/bin/java")
  case "$v" in
    ''|1.*) return 1 ;;
  esac
  [ "${v%%.*}" -ge 21 ] 2>/dev/null || return 1
  echo "${v%%.*}"
}

edgewire_find_java() {
  name=$1
  found="" found_version="" how=""
  if [ -n "${JAVA_HOME:-}" ] && found_version=$(edgewire_java21 "$JAVA_HOME"); then
    found=$JAVA_HOME how="JAVA_HOME"
  fi
  if [ -z "$found" ] && command -v java >/dev/null 2>&1; then
    on_path=$(command -v java)
    resolved=$(readlink -f "$on_path" 2>/dev/null || echo "$on_path")
    home=$(cd "$(dirname "$resolved")/.." && pwd)
    if found_version=$(edgewire_java21 "$home"); then
      found=$home how="the java on PATH"
    fi
  fi
  if [ -z "$found" ]; then
    for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
        "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.asdf/installs/java/*; do
      [ -d "$home" ] || continue
      v=$(edgewire_java21 "$home") || continue
      if [ -z "$found" ] || [ "$v" -gt "$found_version" ]; then
        found=$home found_version=$v how="the newest installed"
      fi
    done
  fi
  if [ -z "$found" ]; then
    echo "$name needs Java 21 or newer and found none in JAVA_HOME (${JAVA_HOME:-unset}), on PATH" \
      "($(command -v java 2>/dev/null || echo 'no java')) or in the usual install folders (/usr/lib/jvm, /usr/java," \
      "/opt/java, ~/.sdkman, ~/.jdks). Install a JDK 21+ (for example Temurin) or set JAVA_HOME to one." >&2
    exit 2
  fi
  JAVA_HOME=$found
  export JAVA_HOME
  java="$found/bin/java"
  java_version=$found_version
  echo "$name: using Java $java_version from $found ($how)" >&2
}
