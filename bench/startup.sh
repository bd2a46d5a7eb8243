#!/usr/bin/env bash
# Time from JVM start to a ready webhook (/q/health/ready answers 200), with and without a startup archive.
#
#   bench/startup.sh APP_DIR [STATE_DIR] [RUNS]
#
# APP_DIR is a target/quarkus-app built with -Dquarkus.package.jar.aot.enabled=true (see docs/startup.md);
# JAVA (default: java on PATH) must be the JDK the archive was built with. Prints one line per variant:
# the median of RUNS starts, in milliseconds.
set -euo pipefail
app=${1:?APP_DIR}
state=$(realpath "${2:-src/test/resources/webhook/state}")
runs=${3:-5}
java=${JAVA:-java}
tls=$(mktemp -d)
trap 'rm -rf "$tls"; pkill -f "quarkus-run.jar" 2>/dev/null || true' EXIT
"$(dirname "$0")/../certs/generate.sh" "$tls" >/dev/null

ready_ms() {
  local start end
  start=$(date +%s%N)
  # An AOT cache is only used with the class path it was trained with: start from the app directory.
  # JAVA_OPTS: the JVM options of the container images (the serial collector) unless given.
  # shellcheck disable=SC2086
  (cd "$app" && EGRESS_GUARD_TLS_DIR=$tls EGRESS_GUARD_STATE_DIR=$state exec "$java" ${JAVA_OPTS:--XX:+UseSerialGC} "$@" -jar quarkus-run.jar >/dev/null 2>&1) &
  local pid=$!
  until curl -sf -o /dev/null http://localhost:9000/q/health/ready; do
    kill -0 "$pid" 2>/dev/null || { echo "the application exited" >&2; return 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

variant() {
  local name=$1; shift
  local times=()
  for ((i = 0; i < runs; i++)); do times+=("$(ready_ms "$@")"); done
  printf '%-28s median %5d ms   (%s)\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

"$java" -version 2>&1 | head -1
variant "plain JVM" -Xshare:auto
[[ -f $app/app-cds.jsa ]] && variant "AppCDS archive (app-cds.jsa)" -XX:SharedArchiveFile=app-cds.jsa
[[ -f $app/app.aot ]] && variant "AOT cache (app.aot)" -XX:AOTCache=app.aot
exit 0
