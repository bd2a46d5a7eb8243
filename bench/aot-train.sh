#!/usr/bin/env bash
# Trains a Java 25 AOT cache (JEP 483/515) for the packaged application: starts it with -XX:AOTCacheOutput,
# sends the recorded admission reviews, stops it; the JVM then writes APP_DIR/app.aot.
#
#   JAVA=/path/to/jdk25/bin/java bench/aot-train.sh [APP_DIR]      (default target/quarkus-app)
#
# Run the application from APP_DIR with `java -XX:+UseSerialGC -XX:AOTCache=app.aot -jar quarkus-run.jar` and
# the same JDK: the cache is only used with the class path, JDK and collector it was trained with (JAVA_OPTS
# replaces the images' options of bench/jvm-options.sh for both).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jvm-options.sh
app=$(realpath "${1:-target/quarkus-app}")
java=${JAVA:-java}
root=$(pwd)
tls=$(mktemp -d)
trap 'rm -rf "$tls"' EXIT
certs/generate.sh "$tls" >/dev/null

(cd "$app" && EGRESS_GUARD_TLS_DIR=$tls EGRESS_GUARD_STATE_DIR=$root/src/test/resources/webhook/state \
  # shellcheck disable=SC2086
  exec "$java" ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS} -XX:AOTCacheOutput=app.aot -jar quarkus-run.jar >"$tls/train.log" 2>&1) &
pid=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null http://localhost:9000/q/health/ready && break; sleep 0.1; done
for review in src/test/resources/webhook/reviews/*.json; do
  [[ $review == *.response.json ]] && continue
  curl -s -o /dev/null --cacert "$tls/ca.crt" -H 'Content-Type: application/json' --data @"$review" \
    https://localhost:8443/validate
done
curl -s -o /dev/null http://localhost:9000/q/metrics
kill "$pid"
wait "$pid" || true
[[ -s $app/app.aot ]] || { echo "aot-train.sh: no cache written; see the log:" >&2; tail -20 "$tls/train.log" >&2; exit 1; }
echo "wrote $app/app.aot ($(du -h "$app/app.aot" | cut -f1))"
