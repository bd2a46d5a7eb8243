#!/usr/bin/env bash
# Starts the packaged webhook (target/quarkus-app) in standalone mode with the JVM settings of the container
# image under the chart's 512Mi limit (-XX:+UseSerialGC, heap 75% of 512 MiB), runs bench/attack.py against it
# on loopback, and stops it. Build first: ./mvnw -B package -DskipTests
# ATTACKS=large_bodies,... runs only those; ATTACK_NICE=19 runs the large-body attack's threads at the lowest CPU
# priority, as if the attacker were on another machine (on this one it competes with the server for CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jvm-options.sh
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
certs/generate.sh "$work/tls" >/dev/null
EGRESS_GUARD_TLS_DIR="$work/tls" EGRESS_GUARD_STATE_DIR=src/test/resources/webhook/state \
  QUARKUS_HTTP_SSL_PORT=${PORT:-18443} QUARKUS_MANAGEMENT_PORT=${MGMT:-19000} \
  java ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS -Xmx384m} -jar target/quarkus-app/quarkus-run.jar >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:${MGMT:-19000}/q/health/ready" >/dev/null && break
  sleep 1
done
python3 bench/attack.py "$pid" "${PORT:-18443}" "${MGMT:-19000}" ${ATTACKS:+"$ATTACKS"}
if [[ ${JAVA_OPTS:-} == *NativeMemoryTracking* ]]; then jcmd "$pid" VM.native_memory summary | grep -E "committed=" | head -20; fi
echo "OutOfMemoryError in the log: $(grep -c OutOfMemoryError "$work/log" || true); peak RSS (VmHWM): $(awk '/VmHWM/ {print int($2/1024) " MiB"}' /proc/$pid/status)"
