# shellcheck shell=bash
# Sourced by bin/herald, bin/test and .ci/run: finds a JDK 21 or newer.
#
# herald_find_java sets JAVA_HOME and HERALD_JAVA (the java binary), trying in order:
#   1. $JAVA_HOME, if its bin/java is 21+
#   2. java on PATH, if it is 21+
#   3. the newest JDK under /usr/lib/jvm whose bin/java is 21+
# and otherwise prints an error and exits 1.

HERALD_MIN_JAVA=21

# Prints the feature version of a java binary (8 for "1.8.0_x", 21 for "21.0.2"), or nothing.
herald_java_major() {
  local version
  version=$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1) || return 0
  case "$version" in
    1.*) version=${version#1.} ;;
  esac
  version=${version%%[!0-9]*}
  [[ -n "$version" ]] && echo "$version"
}

herald_java_ok() {
  local major
  [[ -x "$1" ]] || return 1
  major=$(herald_java_major "$1")
  [[ -n "$major" ]] && (( major >= HERALD_MIN_JAVA ))
}

herald_find_java() {
  local candidate major best="" best_major=0 dir
  if [[ -n "${JAVA_HOME:-}" ]] && herald_java_ok "$JAVA_HOME/bin/java"; then
    HERALD_JAVA="$JAVA_HOME/bin/java"
    export JAVA_HOME HERALD_JAVA
    return 0
  fi
  candidate=$(command -v java 2>/dev/null || true)
  if [[ -n "$candidate" ]] && herald_java_ok "$candidate"; then
    # JAVA_HOME is what mvn uses: derive it from the real location of the binary.
    candidate=$(readlink -f "$candidate")
    JAVA_HOME=$(dirname "$(dirname "$candidate")")
    HERALD_JAVA="$candidate"
    export JAVA_HOME HERALD_JAVA
    return 0
  fi
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [[ -x "$dir/bin/java" ]] || continue
    major=$(herald_java_major "$dir/bin/java")
    if [[ -n "$major" ]] && (( major >= HERALD_MIN_JAVA && major > best_major )); then
      best=$dir
      best_major=$major
    fi
  done
  if [[ -n "$best" ]]; then
    JAVA_HOME=$best
    HERALD_JAVA="$best/bin/java"
    export JAVA_HOME HERALD_JAVA
    return 0
  fi
  echo "error: Herald needs a JDK $HERALD_MIN_JAVA or newer; set JAVA_HOME to one (found: ${JAVA_HOME:-no JAVA_HOME}, $(command -v java || echo 'no java on PATH'))." >&2
  exit 1
}
