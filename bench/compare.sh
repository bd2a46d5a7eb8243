#!/usr/bin/env bash
# The webhook beside its two references, in one run on the same machine: egress-guard with 3 and with 3,500
# team namespaces (bench/LargeMesh: about 21,000 objects, plus Istio's egress gateway task), each under two
# reviews (UPDATE of a team's namespace-local VirtualService; UPDATE of the task's VirtualService, which has no
# exportTo and so is visible to every namespace); a minimal webhook on the same stack (bench/minimal-webhook:
# Quarkus REST, Jackson parses the review, answers allowed); nginx answering a fixed AdmissionReview over the
# same TLS (what the machine can answer). wrk, keep-alive TLS connections, warm-up then measurement per row.
# Prints requests/s, p50, p99 and errors per row, then the ratios the targets are stated in.
#
#   bench/compare.sh [TEAMS_LARGE] [CONNECTIONS] [WARMUP_S] [SECONDS]     (defaults 3500 16 180 10)
#
# Warm-up: 5 s runs of the same load, at least 90 s on a server's first row (20 s on its second), then until
# three in a row agree within 10 % (at most WARMUP_S seconds; the row says when that limit was reached). The JIT
# compiles the review path while the load runs, and on 2 cores shared with the load generator it needs a minute
# or more, with plateaus on the way: a fixed 8 s warm-up measured a server at a fifth of the throughput it
# reached later. What an admission webhook serves for days is the compiled server.
#
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light) and openssl. Ports 37443-37445 and 37900.
# JAVA_OPTS: the JVM options of both Java servers (default: the serial collector of the container images).
# APP=JAR: the egress-guard build to measure (default target/quarkus-app/quarkus-run.jar).
# PROFILE=DIR: also records a JFR profile of egress-guard during each row's measurement
# (DIR/<teams>-<review>.jfr; bench/profile-summary.py sorts its samples by part of a review).
set -euo pipefail
cd "$(dirname "$0")/.."
large=${1:-3500}
connections=${2:-16}
warmup=${3:-180}
seconds=${4:-10}
for tool in wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null \
    || { echo "compare.sh: $tool is required (Debian: apt-get install wrk nginx-light openssl curl)" >&2; exit 1; }
done
app=${APP:-target/quarkus-app/quarkus-run.jar}
nginx_bin=$(PATH=$PATH:/usr/sbin command -v nginx)
for port in 37443 37444 37445 37900; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "compare.sh: port $port is already in use: another server would answer the load" >&2; exit 1
  fi
done

[[ -f $app ]] || ./mvnw -B -q package -DskipTests
[[ -f target/test-classpath.txt ]] \
  || ./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
[[ -f bench/minimal-webhook/target/quarkus-app/quarkus-run.jar ]] \
  || ./mvnw -B -q -f bench/minimal-webhook/pom.xml package -DskipTests

work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
certs/generate.sh "$work/tls" >/dev/null
results=$work/results.txt

# One row: warm-up, then the measurement; appends "name rps p50 p99 errors non2xx" to the results.
measure() {
  local name=$1 url=$2 review=$3 jfr=${4:-} least=${5:-90}
  local rates=() rate spent=0 settled="" lo hi
  while (( spent < warmup )); do
    rate=$(REVIEW=$review wrk -t2 -c"$connections" -d5s -s bench/review.lua "$url" | tail -1 | awk '{ print int($2) }')
    spent=$((spent + 5))
    rates=("${rates[@]: -2}" "$rate")
    if (( spent >= least && ${#rates[@]} == 3 )); then
      lo=$(printf '%s\n' "${rates[@]}" | sort -n | head -1)
      hi=$(printf '%s\n' "${rates[@]}" | sort -n | tail -1)
      if (( hi * 100 <= lo * 110 )); then
        settled=" (warm after ${spent} s)"
        break
      fi
    fi
  done
  [[ -z $settled ]] && settled=" (NOT settled after ${warmup} s of warm-up)"
  # the recording covers the measurement of the warm server; a second for its start to pass
  [[ -n $jfr ]] && jcmd "$pid" JFR.start name=bench settings=profile filename="$jfr" >/dev/null && sleep 1
  local line
  line=$(REVIEW=$review wrk -t2 -c"$connections" -d"${seconds}s" -s bench/review.lua "$url" | tail -1)
  [[ -n $jfr ]] && jcmd "$pid" JFR.stop name=bench >/dev/null
  # "requests/s R  p50 A ms  p99 B ms  errors E  non-2xx N"
  printf '%s\t%s\n' "$name" "$(awk '{ print $2, $4, $7, $10, $12 }' <<<"$line")" >>"$results"
  printf '%-34s %s%s\n' "$name" "$line" "$settled"
}

# A server just stopped may hold its ports for a moment: wait (at most 30 s) until they are free.
wait_free() {
  local port
  for port in "$@"; do
    for _ in $(seq 150); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
      sleep 0.2
    done
  done
}

wait_ready() {
  until curl -sf -o /dev/null "$1"; do
    kill -0 "$pid" 2>/dev/null || { echo "compare.sh: the server exited:" >&2; tail -20 "$work/app.log" >&2; exit 1; }
    sleep 0.1
  done
}

[[ -n ${PROFILE:-} ]] && mkdir -p "$PROFILE"
# shellcheck disable=SC2086
for teams in 3 "$large"; do
  java -cp "$cp" io.egressguard.bench.LargeMesh "$work/state-$teams" "$teams" >/dev/null
  wait_free 37443 37900
  EGRESS_GUARD_TLS_DIR=$work/tls EGRESS_GUARD_STATE_DIR=$work/state-$teams QUARKUS_HTTP_SSL_PORT=37443 \
    QUARKUS_MANAGEMENT_PORT=37900 java ${JAVA_OPTS:--XX:+UseSerialGC} -jar "$app" \
    >"$work/app.log" 2>&1 &
  pid=$!
  started=$(date +%s%N)
  wait_ready http://localhost:37900/q/health/ready
  # The periodic audit checks every object 5 s after start, then every minute: wait for the first one, so that
  # the rows measure reviews, not the audit (at 3,500 teams it takes seconds of CPU).
  for _ in $(seq 600); do
    curl -s http://localhost:37900/q/metrics | grep -q '^egress_guard_audit_last_run_timestamp_seconds [1-9]' && break
    sleep 0.2
  done
  echo "egress-guard with $teams teams ($(grep -c '^kind:' "$work"/state-"$teams"/*.yaml | awk -F: '{ n += $2 } END { print n }') objects): ready after $(( ($(date +%s%N) - started) / 1000000 )) ms"
  measure "egress-guard $teams local" https://localhost:37443/validate "$work/state-$teams-review.json" \
    "${PROFILE:+$PROFILE/$teams-local.jfr}"
  measure "egress-guard $teams public" https://localhost:37443/validate "$work/state-$teams-review-public.json" \
    "${PROFILE:+$PROFILE/$teams-public.jfr}" 20
  kill "$pid" 2>/dev/null || echo "compare.sh: the server had exited (see its log)" >&2; wait "$pid" 2>/dev/null || true; pid=
done

wait_free 37443 37900
EGRESS_GUARD_TLS_DIR=$work/tls java ${JAVA_OPTS:--XX:+UseSerialGC} -Degress-guard.tls.dir="$work/tls" \
  -Dquarkus.http.ssl-port=37444 -jar bench/minimal-webhook/target/quarkus-app/quarkus-run.jar >"$work/app.log" 2>&1 &
pid=$!
until curl -sfk -o /dev/null -X POST -H 'Content-Type: application/json' \
  --data-binary "@$work/state-$large-review.json" https://localhost:37444/validate; do
  kill -0 "$pid" 2>/dev/null || { echo "compare.sh: the minimal webhook exited:" >&2; tail -20 "$work/app.log" >&2; exit 1; }
  sleep 0.1
done
measure "minimal webhook" https://localhost:37444/validate "$work/state-$large-review.json"
kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=

# nginx: a fixed AdmissionReview response, same certificate, same client
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:37445 ssl;
    ssl_certificate $work/tls/tls.crt;
    ssl_certificate_key $work/tls/tls.key;
    client_max_body_size 4m;
    location = /validate {
      default_type application/json;
      return 200 '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"load","allowed":true}}';
    }
  }
}
CONF
"$nginx_bin" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
until curl -sfk -o /dev/null -X POST --data-binary "@$work/state-$large-review.json" https://localhost:37445/validate; do
  sleep 0.1
done
measure "nginx (fixed answer)" https://localhost:37445/validate "$work/state-$large-review.json" "" 10
kill "$(cat "$work/nginx/nginx.pid")"; rm -f "$work/nginx/nginx.pid"

echo
echo "load while measuring (1-minute average): $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
awk -F'\t' -v large="$large" '
  { split($2, f, " "); rps[$1] = f[1]; p99[$1] = f[3]; errors += f[4] + f[5] }
  END {
    small_local = rps["egress-guard 3 local"]; large_local = rps["egress-guard " large " local"]
    small_pub = rps["egress-guard 3 public"]; large_pub = rps["egress-guard " large " public"]
    min = rps["minimal webhook"]; minp99 = p99["minimal webhook"]
    printf "local review,  %s vs 3 teams: %.0f %% (target >= 80 %%)\n", large, 100 * large_local / small_local
    printf "public review, %s vs 3 teams: %.0f %% (target >= 80 %%)\n", large, 100 * large_pub / small_pub
    printf "local review at %s vs the minimal webhook: %.0f %% (target >= 50 %%)\n", large, 100 * large_local / min
    printf "p99 at %s vs the minimal webhook: local %.1fx, public %.1fx (target <= 2x)\n", large,
      p99["egress-guard " large " local"] / minp99, p99["egress-guard " large " public"] / minp99
    printf "errors and non-2xx answers, all rows: %d (target 0)\n", errors
  }' "$results"
