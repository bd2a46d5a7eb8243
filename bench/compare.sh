#!/usr/bin/env bash
# The webhook beside its two references, in one run on the same machine: egress-guard with 3 and with 3,500
# team namespaces (bench/LargeMesh: about 21,000 objects, plus Istio's egress gateway task), each under two
# reviews (UPDATE of a team's namespace-local VirtualService; UPDATE of the task's VirtualService, which has no
# exportTo and so is visible to every namespace); a minimal webhook on the same stack (bench/minimal-webhook:
# Quarkus REST, Jackson parses the review, answers allowed); nginx answering a fixed AdmissionReview over the
# same TLS (what the machine can answer). wrk, keep-alive TLS connections.
#
#   bench/compare.sh [TEAMS_LARGE] [CONNECTIONS] [WARMUP_S] [SECONDS] [ROUNDS]     (defaults 3500 16 180 10 5)
#
# All four servers run side by side (one is loaded at a time; an idle one costs nothing). Each row is warmed up
# first: 5 s runs of its load, at least 90 s on a server's first row (20 s on its second), then until three in a
# row agree within 10 % (at most WARMUP_S seconds; the row says when that limit was reached). The JIT compiles
# the review path while the load runs, and on 2 cores shared with the load generator it needs a minute or more,
# with plateaus on the way. Then ROUNDS rounds measure every row once for SECONDS each, the rows interleaved, so
# that a change in the machine's speed during the run (other tenants, CPU steal) falls on every row alike rather
# than on the rows measured at that moment. Each row shows the medians of its rounds' requests/s, p50 and p99,
# and their range. The ratios the targets are stated in are paired: each round gives the ratio of the two rows
# measured in it, a minute apart at most, and the median of those is the run's. The tail on 2 shared cores follows
# what else ran during a round (a row's p99 can move 2x from one round to the next while its requests/s move a few
# percent); pairing and five rounds keep one disturbed round from deciding a ratio.
#
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light) and openssl. Ports 37443-37446, 37900-37901.
# JAVA_OPTS: the JVM options of the Java servers (default: those of the container images, bench/jvm-options.sh).
# APP=JAR: the egress-guard build to measure (default target/quarkus-app/quarkus-run.jar).
# PROFILE=DIR: also profiles egress-guard during each of its rows' last round (bench/profile.sh, async-profiler:
# DIR/<teams>-<review>.collapsed; bench/profile-summary.py sorts its samples by part of a review).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jvm-options.sh
large=${1:-3500}
connections=${2:-16}
warmup=${3:-180}
seconds=${4:-10}
rounds=${5:-5}
for tool in wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null \
    || { echo "compare.sh: $tool is required (Debian: apt-get install wrk nginx-light openssl curl)" >&2; exit 1; }
done
app=${APP:-target/quarkus-app/quarkus-run.jar}
nginx_bin=$(PATH=$PATH:/usr/sbin command -v nginx)
for port in 37443 37444 37445 37446 37900 37901; do
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
pids=()
cleanup() {
  set +e # a killed server's exit status is not a failure of the cleanup: stop every server
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
certs/generate.sh "$work/tls" >/dev/null
if [[ -n ${PROFILE:-} ]]; then
  mkdir -p "$PROFILE"
  bench/profile.sh --fetch
fi

# The rows, in the order they are measured in each round: name, URL, review, server pid (empty for nginx), profile.
names=() urls=() reviews=() owners=() profiles=()
row() {
  names+=("$1") urls+=("$2") reviews+=("$3") owners+=("$4") profiles+=("${5:-}")
}

# One wrk run: "requests/s R  p50 A ms  p99 B ms  errors E  non-2xx N".
load() {
  REVIEW=$2 wrk -t2 -c"$connections" -d"$3" -s bench/review.lua "$1" | tail -1
}

# Warm-up of row $1: 5 s runs until three in a row agree within 10 % (at least $2 s, at most $warmup s).
warm() {
  local i=$1 least=$2 rates=() rate spent=0 lo hi
  while (( spent < warmup )); do
    rate=$(load "${urls[i]}" "${reviews[i]}" 5s | awk '{ print int($2) }')
    spent=$((spent + 5))
    rates=("${rates[@]: -2}" "$rate")
    if (( spent >= least && ${#rates[@]} == 3 )); then
      lo=$(printf '%s\n' "${rates[@]}" | sort -n | head -1)
      hi=$(printf '%s\n' "${rates[@]}" | sort -n | tail -1)
      if (( hi * 100 <= lo * 110 )); then
        echo "warm after ${spent} s"
        return
      fi
    fi
  done
  echo "NOT settled after ${warmup} s of warm-up"
}

# A server just started: wait until $1 answers, or say why the server $2 (log $3) exited.
wait_ready() {
  until curl -sfk -o /dev/null "${@:4}" "$1"; do
    kill -0 "$2" 2>/dev/null || { echo "compare.sh: a server exited:" >&2; tail -20 "$3" >&2; exit 1; }
    sleep 0.1
  done
}

# egress-guard with 3 teams on 37443 (management 37900) and with $large teams on 37446 (37901), started one
# after the other so that each start is timed alone.
https_port=(37443 37446) management_port=(37900 37901) i=0
for teams in 3 "$large"; do
  java -cp "$cp" io.egressguard.bench.LargeMesh "$work/state-$teams" "$teams" >/dev/null
  EGRESS_GUARD_TLS_DIR=$work/tls EGRESS_GUARD_STATE_DIR=$work/state-$teams \
    QUARKUS_HTTP_SSL_PORT=${https_port[i]} QUARKUS_MANAGEMENT_PORT=${management_port[i]} \
    java ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS} -jar "$app" >"$work/app-$teams.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  started=$(date +%s%N)
  wait_ready "http://localhost:${management_port[i]}/q/health/ready" "$pid" "$work/app-$teams.log"
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  # The periodic audit checks every object within 5 s after the state is ready, then every minute (an unchanged
  # state again for free): wait for the first one, so that the rows measure reviews, not the audit. It is not part of the
  # start: the webhook answers reviews from the moment it is ready.
  for _ in $(seq 600); do
    curl -s "http://localhost:${management_port[i]}/q/metrics" \
      | grep -q '^egress_guard_audit_last_run_timestamp_seconds [1-9]' && break
    sleep 0.2
  done
  echo "egress-guard with $teams teams ($(grep -c '^kind:' "$work"/state-"$teams"/*.yaml | awk -F: '{ n += $2 } END { print n }') objects): ready after $ready_ms ms (first audit done after $(( ($(date +%s%N) - started) / 1000000 )) ms)"
  row "egress-guard $teams local" "https://localhost:${https_port[i]}/validate" "$work/state-$teams-review.json" \
    "$pid" "${PROFILE:+$PROFILE/$teams-local.collapsed}"
  row "egress-guard $teams public" "https://localhost:${https_port[i]}/validate" \
    "$work/state-$teams-review-public.json" "$pid" "${PROFILE:+$PROFILE/$teams-public.collapsed}"
  i=$((i + 1))
done

EGRESS_GUARD_TLS_DIR=$work/tls java ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS} -Degress-guard.tls.dir="$work/tls" \
  -Dquarkus.http.ssl-port=37444 -jar bench/minimal-webhook/target/quarkus-app/quarkus-run.jar \
  >"$work/minimal.log" 2>&1 &
pid=$!
pids+=("$pid")
wait_ready https://localhost:37444/validate "$pid" "$work/minimal.log" -X POST -H 'Content-Type: application/json' \
  --data-binary "@$work/state-$large-review.json"
row "minimal webhook" https://localhost:37444/validate "$work/state-$large-review.json" "$pid"

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
row "nginx (fixed answer)" https://localhost:37445/validate "$work/state-$large-review.json" ""

# Warm-up, row by row: a server's first row at least 90 s, its second 20 s, nginx 10 s.
declare -A warmed=()
settled=()
for i in "${!names[@]}"; do
  least=90
  [[ -z ${owners[i]} ]] && least=10
  [[ -n ${owners[i]} && -n ${warmed[${owners[i]}]:-} ]] && least=20
  [[ -n ${owners[i]} ]] && warmed[${owners[i]}]=1
  settled+=("$(warm "$i" "$least")")
  printf '%-28s %s\n' "${names[i]}" "${settled[i]}"
done

# The measurement: every row once per round, in turn.
results=$work/results.txt
for round in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    profile=${profiles[i]} profiler=
    if [[ $round == "$rounds" && -n $profile ]]; then
      bench/profile.sh "${owners[i]}" "$((seconds - 1))" "$profile" >/dev/null &
      profiler=$!
    fi
    line=$(load "${urls[i]}" "${reviews[i]}" "${seconds}s")
    [[ -n $profiler ]] && wait "$profiler"
    # row index, round, requests/s, p50, p99, errors, non-2xx
    printf '%s %s %s\n' "$i" "$round" "$(awk '{ print $2, $4, $7, $10, $12 }' <<<"$line")" >>"$results"
  done
done

printf '%s\n' "${names[@]}" >"$work/names.txt"
echo
echo "$rounds rounds of ${seconds} s per row, interleaved; per row the medians of its rounds (their range):"
awk -v large="$large" -f bench/compare-summary.awk "$work/names.txt" "$results"
echo "load (1-minute average) at the end: $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
