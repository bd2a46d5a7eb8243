#!/usr/bin/env bash
# Load on the webhook in standalone mode: a generated correct mesh as the state, wrk posting one AdmissionReview
# over TLS with keep-alive connections. Needs wrk (Debian: apt-get install wrk) and a packaged application.
#
#   bench/load.sh [NAMESPACES] [SECONDS] [CONNECTIONS]     (defaults 3500 -> ~21,000 objects, 20 s, 8)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jvm-options.sh
namespaces=${1:-3500}
seconds=${2:-20}
connections=${3:-8}
command -v wrk >/dev/null || { echo "load.sh: wrk is required (apt-get install wrk)" >&2; exit 1; }
[[ -f target/quarkus-app/quarkus-run.jar ]] || ./mvnw -B -q package -DskipTests
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
java -cp "$cp" io.egressguard.bench.LargeMesh "$work/state" "$namespaces"
certs/generate.sh "$work/tls" >/dev/null
# The review (written by LargeMesh): re-applying the VirtualService of the middle namespace.
# JAVA_OPTS: the JVM options of the container images (bench/jvm-options.sh) unless given.
# shellcheck disable=SC2086
EGRESS_GUARD_TLS_DIR=$work/tls EGRESS_GUARD_STATE_DIR=$work/state java ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS} -Xlog:gc:file="$work/gc.log" \
  -jar target/quarkus-app/quarkus-run.jar >"$work/app.log" 2>&1 &
pid=$!
start=$(date +%s%N)
until curl -sf -o /dev/null http://localhost:9000/q/health/ready; do sleep 0.05; done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms with $namespaces namespaces"
REVIEW=$work/state-review.json wrk -t2 -c"$connections" -d5s -s bench/review.lua https://localhost:8443/validate >/dev/null
REVIEW=$work/state-review.json wrk -t2 -c"$connections" -d"${seconds}s" -s bench/review.lua https://localhost:8443/validate | tail -1
# GC pauses while serving (the warm-up included), from the JVM's log
awk '/Pause/ { n++; ms = $NF; sub("ms", "", ms); if (ms + 0 > max) max = ms + 0; sum += ms } END {
  if (n) printf "GC pauses: %d, longest %.1f ms, total %.0f ms\n", n, max, sum }' "$work/gc.log"
