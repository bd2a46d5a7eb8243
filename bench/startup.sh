#!/usr/bin/env bash
# Time from JVM start to a ready webhook (/q/health/ready answers 200), and the CPU the process used until then,
# with and without a startup archive.
#
#   bench/startup.sh APP_DIR [STATE_DIR] [RUNS]
#   BEFORE=OTHER_APP_DIR bench/startup.sh APP_DIR ...     also another build (plain JVM), in turn with this one
#   OTHER_OPTS="-XX:+UseSerialGC" bench/startup.sh APP_DIR ...   also this build with other JVM options, in turn
#
# APP_DIR is a target/quarkus-app; JAVA (default: java on PATH) must be the JDK an archive in it was built with
# (app-cds.jsa, or app.aot from bench/aot-train.sh). The variants take turns, one start each per round, so that
# a machine whose speed changes during the measurement slows them alike. Prints one line per variant: the median
# of RUNS starts of the time to ready and of the CPU time (user + system, all threads) used until ready, in ms.
set -euo pipefail
app=${1:?APP_DIR}
state=$(realpath "${2:-src/test/resources/webhook/state}")
runs=${3:-5}
java=${JAVA:-java}
tls=$(mktemp -d)
trap 'rm -rf "$tls"; pkill -f "quarkus-run.jar" 2>/dev/null || true' EXIT
"$(dirname "$0")/../certs/generate.sh" "$tls" >/dev/null
ticks=$(getconf CLK_TCK)
source "$(dirname "$0")/jvm-options.sh"

# One start of the application in DIR with the JVM options OPTS and those given after them; prints "WALL_MS CPU_MS".
one_start() {
  local dir=$1 opts=$2 start end cpu
  shift 2
  start=$(date +%s%N)
  # An AOT cache is only used with the class path it was trained with: start from the app directory.
  # shellcheck disable=SC2086
  (cd "$dir" && EGRESS_GUARD_TLS_DIR=$tls EGRESS_GUARD_STATE_DIR=$state exec "$java" $opts "$@" -jar quarkus-run.jar >/dev/null 2>&1) &
  local pid=$!
  until curl -sf -o /dev/null http://localhost:9000/q/health/ready; do
    kill -0 "$pid" 2>/dev/null || { echo "the application exited" >&2; return 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  cpu=$(awk -v t="$ticks" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(((end - start) / 1000000)) $cpu"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# JAVA_OPTS: the JVM options of the container images (bench/jvm-options.sh) unless given.
base=${JAVA_OPTS:-$IMAGE_JVM_OPTIONS}
names=() dirs=() bases=() options=()
variant() { names+=("$1"); dirs+=("$2"); bases+=("$3"); options+=("$4"); }
[[ -n ${BEFORE:-} ]] && variant "other build ($(basename "$(dirname "$BEFORE")")/$(basename "$BEFORE"))" "$BEFORE" "$base" -Xshare:auto
[[ -n ${OTHER_OPTS:-} ]] && variant "other options ($OTHER_OPTS)" "$app" "$OTHER_OPTS" -Xshare:auto
variant "plain JVM" "$app" "$base" -Xshare:auto
[[ -f $app/app-cds.jsa ]] && variant "AppCDS archive (app-cds.jsa)" "$app" "$base" -XX:SharedArchiveFile=app-cds.jsa
[[ -f $app/app.aot ]] && variant "AOT cache (app.aot)" "$app" "$base" -XX:AOTCache=app.aot

"$java" -version 2>&1 | head -1
declare -a walls cpus
for ((i = 0; i < runs; i++)); do
  for v in "${!names[@]}"; do
    wall='' cpu=''
    # shellcheck disable=SC2086
    read -r wall cpu < <(one_start "${dirs[$v]}" "${bases[$v]}" ${options[$v]}) || true
    [[ -n ${cpu:-} ]] || { echo "startup.sh: ${names[$v]}: no start" >&2; exit 1; }
    walls[$v]="${walls[$v]:-}$wall " cpus[$v]="${cpus[$v]:-}$cpu "
  done
done
for v in "${!names[@]}"; do
  printf '%-40s ready median %5d ms (%s), CPU median %5d ms (%s)\n' "${names[$v]}" \
    "$(tr ' ' '\n' <<<"${walls[$v]}" | grep . | median)" "${walls[$v]% }" \
    "$(tr ' ' '\n' <<<"${cpus[$v]}" | grep . | median)" "${cpus[$v]% }"
done
