#!/usr/bin/env bash
# End-to-end check of the egress-guard webhook against a real kube-apiserver, without containers.
#
#   deploy/e2e/apiserver-e2e.sh            # from anywhere; BUILD_ONLY=1 only builds the control plane
#
# Needs Go, Java 17+, kubectl, openssl and curl. Builds etcd and kube-apiserver from source once (through the
# Go module proxy) into ${EGRESS_GUARD_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/egress-guard-e2e}, reused
# while the versions below are unchanged (the Go module and build caches live there too); starts them on
# loopback (TLS, RBAC, a service-account issuer; no kubelet, no controllers); installs Istio's and the Gateway
# API's CRDs and the Policy WG's PolicyReport CRDs from their Go modules; runs egress-guard (target/quarkus-app, built when absent; the serial
# collector, as the images) as a process under the token of the chart's ServiceAccount; registers it through
# the ValidatingWebhookConfiguration of deploy/manifests/egress-guard-webhook.yaml with clientConfig.url pointed at the
# process; then runs the scenarios and prints `ok NAME (details)` or `failed NAME: reason` for each, and the
# latency of 1,000 ServiceEntries created and updated with and without the webhook.
# Exits 0 only when every scenario passed.
#   KEEP=1         keep the work directory (logs of etcd, kube-apiserver, egress-guard; kubeconfigs)
#   SHOW_OUTPUT=1  print kubectl's output for a denial, a warning, the webhook being unavailable, and the
#                  audit's PolicyReports and Events
#   BENCH=N        objects for the latency measurement (default 1000); BENCH=0 skips it
#   READY_STATE=DIR  also create the manifests of DIR (bench/LargeMesh) and time egress-guard's start to ready
#                  (READY_STARTS starts, default 3; READY_BEFORE=JAR: another build's starts in turn with this one's,
#                  READY_BEFORE_OPTS: the JVM options of those, default this build's: READY_BEFORE=its own jar
#                  and other options compares options)
#   KUBE_VERSION, ETCD_VERSION, ISTIO_API_VERSION, GATEWAY_API_VERSION, WG_POLICY_VERSION: see below
set -euo pipefail
trap 'echo "apiserver-e2e.sh: stopped by a failing command at line $LINENO" >&2' ERR
cd "$(dirname "$0")/../.."
repo=$PWD
source bench/jvm-options.sh

KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.7.3}
ISTIO_API_VERSION=${ISTIO_API_VERSION:-v1.32.0}     # istio.io/api: kubernetes/customresourcedefinitions.gen.yaml
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.6.3}  # experimental channel: serves TLSRoute v1alpha2
# sigs.k8s.io/wg-policy-prototypes (no tagged release): policy-report/crd/v1alpha2, the PolicyReport CRDs
WG_POLICY_VERSION=${WG_POLICY_VERSION:-v0.0.0-20241007222821-25056e1f3eb5}

cache=${EGRESS_GUARD_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/egress-guard-e2e}
export GOMODCACHE=${GOMODCACHE_E2E:-$cache/gomod} GOCACHE=$cache/gobuild GOFLAGS=-mod=mod GOWORK=off \
  GOTOOLCHAIN=local CGO_ENABLED=0 GOPROXY=${GOPROXY:-https://proxy.golang.org,direct}
mkdir -p "$cache"
PATH=$PATH:/usr/local/go/bin

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---- control plane binaries ------------------------------------------------------------------------------

# build_go NAME MODULE@VERSION PACKAGE [GO.MOD LINES...]: builds PACKAGE in a throwaway module under the cache.
build_go() {
  local name=$1 module=$2 pkg=$3; shift 3
  local dir=$cache/build-$name-${module##*@} bin=$cache/bin/$name-${module##*@}
  if [[ -x $bin ]]; then echo "$bin"; return; fi
  log "building $name ${module##*@} (once; cached in $cache)"
  rm -rf "$dir"; mkdir -p "$dir" "$cache/bin"
  { echo "module egress-guard-e2e/$name"; echo; echo "go 1.26"; echo; echo "require ${module%@*} ${module##*@}"; printf '%s\n' "$@"; } > "$dir/go.mod"
  [[ -z ${GO_SOURCE:-} ]] || cp "$GO_SOURCE" "$dir/"
  local started=$SECONDS
  (cd "$dir" && nice -n 10 go build -trimpath -ldflags=-s -o "$bin.tmp" "$pkg") >&2
  mv "$bin.tmp" "$bin"
  log "built $name in $((SECONDS - started)) s"
  echo "$bin"
}

build_etcd() { build_go etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" go.etcd.io/etcd/server/v3; }

build_apiserver() {
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging: pin each to
  # the published v0.X.Y of the same release.
  local staging=v0.${KUBE_VERSION#v1.} modfile
  modfile=$(cd "$cache" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  local -a replaces=()
  while read -r mod; do replaces+=("replace $mod => $mod $staging"); done \
    < <(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$1~/^k8s\.io\//&&$2=="v0.0.0"{print $1}' "$modfile")
  build_go kube-apiserver "k8s.io/kubernetes@$KUBE_VERSION" k8s.io/kubernetes/cmd/kube-apiserver "${replaces[@]}"
}

# The latency client (deploy/e2e/latency), rebuilt when its source changes.
build_latency() {
  local sum
  sum=$(sha256sum deploy/e2e/latency/main.go | cut -c1-12)
  GO_SOURCE=deploy/e2e/latency/main.go build_go "latency-$sum" "k8s.io/client-go@v0.${KUBE_VERSION#v1.}" . \
    "require k8s.io/apimachinery v0.${KUBE_VERSION#v1.}"
}

script_started=$SECONDS
for tool in go java kubectl openssl curl; do
  command -v "$tool" >/dev/null || { echo "apiserver-e2e.sh: $tool is required" >&2; exit 2; }
done
etcd_bin=$(build_etcd)
apiserver_bin=$(build_apiserver)
[[ ${BENCH:-1000} == 0 ]] || latency_bin=$(build_latency)
log "control plane binaries ready after $((SECONDS - script_started)) s"
[[ -z ${BUILD_ONLY:-} ]] || exit 0

# CRD files from the modules' published sources, read from the module cache.
module_dir() { (cd "$cache" && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p'); }
istio_crds=$(module_dir "istio.io/api@$ISTIO_API_VERSION")/kubernetes/customresourcedefinitions.gen.yaml
gateway_api_dir=$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")/config/crd/experimental
policy_report_dir=$(module_dir "sigs.k8s.io/wg-policy-prototypes@$WG_POLICY_VERSION")/policy-report/crd/v1alpha2
[[ -f $istio_crds && -d $gateway_api_dir && -d $policy_report_dir ]] || { echo "apiserver-e2e.sh: CRD files not found" >&2; exit 2; }

jar=$repo/target/quarkus-app/quarkus-run.jar
if [[ ! -f $jar ]]; then
  log "building $jar"
  ./mvnw -B -q package -DskipTests
fi

# ---- loopback control plane ------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/egress-guard-e2e.XXXXXX")
pids=()
cleanup() {
  # Newest first (the webhook, then the API server while etcd still answers, then etcd), each given 10 s to
  # stop: an API server whose etcd went away first can hang in its shutdown.
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in {1..100}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n ${KEEP:-} ]]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A free loopback port (nothing answers on it).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

etcd_port=$(free_port); etcd_peer=$(free_port); api_port=$(free_port)
hook_port=$(free_port); mgmt_port=$(free_port)

log "certificates"
certs/generate.sh "$work/apiserver" kubernetes default >/dev/null      # serving: valid for 127.0.0.1
certs/generate.sh "$work/webhook" egress-guard egress-guard >/dev/null  # the chart's certificate, and 127.0.0.1
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj /CN=e2e-client-ca \
  -keyout "$work/client-ca.key" -out "$work/client-ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -sha256 -subj "/O=system:masters/CN=e2e-admin" \
  -keyout "$work/admin.key" -out "$work/admin.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > "$work/client.ext"
openssl x509 -req -sha256 -days 2 -in "$work/admin.csr" -CA "$work/client-ca.crt" -CAkey "$work/client-ca.key" \
  -CAcreateserial -extfile "$work/client.ext" -out "$work/admin.crt" 2>/dev/null
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null

log "etcd $ETCD_VERSION on 127.0.0.1:$etcd_port"
"$etcd_bin" --name e2e --data-dir "$work/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "e2e=http://127.0.0.1:$etcd_peer" --log-level warn > "$work/etcd.log" 2>&1 &
pids+=($!)

log "kube-apiserver $KUBE_VERSION on https://127.0.0.1:$api_port"
"$apiserver_bin" --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$work/apiserver/tls.crt" --tls-private-key-file "$work/apiserver/tls.key" \
  --client-ca-file "$work/client-ca.crt" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$work/sa.pub" --service-account-signing-key-file "$work/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true --cert-dir "$work/apiserver-certs" \
  --endpoint-reconciler-type none --disable-admission-plugins ServiceAccount > "$work/apiserver.log" 2>&1 &
apiserver_pid=$!
pids+=("$apiserver_pid")

kubeconfig() { # FILE USER-LINES...
  local file=$1; shift
  { cat <<KC
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $work/apiserver/ca.crt
contexts:
- name: e2e
  context: {cluster: e2e, user: user}
current-context: e2e
users:
- name: user
  user:
KC
    printf '    %s\n' "$@"; } > "$file"
}
kubeconfig "$work/admin.kubeconfig" "client-certificate: $work/admin.crt" "client-key: $work/admin.key"
export KUBECONFIG=$work/admin.kubeconfig

apiserver_ready() { kill -0 "$apiserver_pid" 2>/dev/null || return 0; [[ $(kubectl get --raw /readyz 2>/dev/null) == ok ]]; }
wait_for 120 apiserver_ready && kill -0 "$apiserver_pid" 2>/dev/null || { tail -30 "$work/apiserver.log" >&2; echo "kube-apiserver did not start" >&2; exit 1; }
log "kube-apiserver ready after $((SECONDS - script_started)) s"

log "CRDs: istio.io/api $ISTIO_API_VERSION, gateway-api $GATEWAY_API_VERSION (experimental), wg-policy-prototypes $WG_POLICY_VERSION"
kubectl apply --server-side -f "$istio_crds" >/dev/null
kubectl apply --server-side -f "$policy_report_dir/wgpolicyk8s.io_policyreports.yaml" \
  -f "$policy_report_dir/wgpolicyk8s.io_clusterpolicyreports.yaml" >/dev/null
for f in "$gateway_api_dir"/gateway.networking.k8s.io_*.yaml; do
  [[ $f == *vap* ]] || kubectl apply --server-side -f "$f" >/dev/null
done
kubectl wait --for condition=Established crd --all --timeout 60s >/dev/null

# The rendered chart: its documents by kind.
manifest=deploy/manifests/egress-guard.yaml
webhook_manifest=deploy/manifests/egress-guard-webhook.yaml  # the webhook configuration, applied last
chart_docs() { # KIND...: the documents of these kinds
  awk -v kinds=" $* " 'BEGIN { RS = "\n---\n" } { k = $0; sub(/.*\nkind: */, "", k); sub(/\n.*/, "", k) }
    index(kinds, " " k " ") { print "---"; print }' "$manifest" "$webhook_manifest"
}
log "chart: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, the mesh config's Role"
chart_docs Namespace ServiceAccount ClusterRole ClusterRoleBinding | kubectl apply -f - >/dev/null
kubectl create namespace istio-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null
chart_docs Role RoleBinding | kubectl apply -f - >/dev/null

# The webhook process runs with the ServiceAccount's token only: readiness proves the ClusterRole is enough.
token=$(kubectl create token egress-guard -n egress-guard --duration 2h)
kubeconfig "$work/egress-guard.kubeconfig" "token: $token"
if kubectl --kubeconfig "$work/egress-guard.kubeconfig" get secrets -A >/dev/null 2>&1; then
  echo "the egress-guard token can read secrets: RBAC is not in force" >&2; exit 1
fi

start_webhook() {
  KUBECONFIG=$work/egress-guard.kubeconfig EGRESS_GUARD_TLS_DIR=$work/webhook \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_SSL_PORT=$hook_port \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$mgmt_port \
    EGRESS_GUARD_AUDIT_INTERVAL=${AUDIT_INTERVAL:-5s} EGRESS_GUARD_STATE_CRD_RECHECK=5s \
    java ${JAVA_OPTS:-$IMAGE_JVM_OPTIONS} -jar "$jar" >> "$work/egress-guard.log" 2>&1 &
  webhook_pid=$!
  pids+=("$webhook_pid")
}
webhook_ready() { curl -fsS "http://127.0.0.1:$mgmt_port/q/health/ready"; }
stop_webhook() { kill "$webhook_pid" 2>/dev/null; wait "$webhook_pid" 2>/dev/null || true; }

log "egress-guard on https://127.0.0.1:$hook_port (management http://127.0.0.1:$mgmt_port)"
start_webhook
if ! wait_for 120 webhook_ready; then
  tail -40 "$work/egress-guard.log" >&2
  curl -sS "http://127.0.0.1:$mgmt_port/q/health/ready" >&2 || true
  echo "egress-guard did not become ready with the chart's RBAC" >&2; exit 1
fi
log "egress-guard ready after $((SECONDS - script_started)) s"

# The chart's ValidatingWebhookConfiguration, each webhook's clientConfig pointed at the process.
ca_bundle=$(base64 < "$work/webhook/ca.crt" | tr -d '\n')
chart_docs ValidatingWebhookConfiguration > "$work/vwc-chart.yaml"
vwc_patch() { # FAILURE-POLICY TIMEOUT: a JSON patch for every webhook of the configuration
  local n i ops=()
  n=$(grep -c '^  - name: ' "$work/vwc-chart.yaml")
  for ((i = 0; i < n; i++)); do
    ops+=("{\"op\":\"replace\",\"path\":\"/webhooks/$i/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$hook_port/validate\",\"caBundle\":\"$ca_bundle\"}}")
    [[ -z $1 ]] || ops+=("{\"op\":\"replace\",\"path\":\"/webhooks/$i/failurePolicy\",\"value\":\"$1\"}")
    [[ -z $2 ]] || ops+=("{\"op\":\"replace\",\"path\":\"/webhooks/$i/timeoutSeconds\",\"value\":$2}")
  done
  local IFS=,; echo "[${ops[*]}]"
}
register_webhook() { # [FAILURE-POLICY] [TIMEOUT]
  kubectl patch --local -f "$work/vwc-chart.yaml" --type json -p "$(vwc_patch "${1:-}" "${2:-}")" -o yaml \
    | kubectl apply -f - >/dev/null
}
unregister_webhook() { kubectl delete validatingwebhookconfiguration egress-guard --ignore-not-found >/dev/null; }

# ---- helpers for the scenarios -------------------------------------------------------------------------

failures=0
passed=0
ok() { echo "ok $1${2:+ ($2)}"; passed=$((passed + 1)); }
failed() { echo "failed $1: $2"; failures=$((failures + 1)); }
oneline() { tr '\n' ' ' | sed 's/  */ /g' | cut -c1-400; }

# What the webhook's state holds, against what the API server holds: the informers caught up when equal.
mesh_kinds=serviceentries.networking.istio.io,virtualservices.networking.istio.io,destinationrules.networking.istio.io,gateways.networking.istio.io,sidecars.networking.istio.io,gateways.gateway.networking.k8s.io,httproutes.gateway.networking.k8s.io,tlsroutes.gateway.networking.k8s.io,networkpolicies.networking.k8s.io
metric() { curl -fsS "http://127.0.0.1:$mgmt_port/q/metrics" | awk -v m="$1" '$1 == m { print int($2) }'; }
watched_kinds=$mesh_kinds   # the informers' kinds, and of ConfigMaps only the mesh config
server_objects() {
  echo $(( $(kubectl get "namespaces,services,deployments.apps,$watched_kinds" -A --no-headers 2>/dev/null | wc -l)
    + $(kubectl get configmap istio -n istio-system --no-headers 2>/dev/null | wc -l) ))
}
caught_up() { [[ $(metric egress_guard_state_objects) == "$(server_objects)" ]]; }
settle() { wait_for 30 caught_up || log "warning: the webhook's state did not catch up ($(metric egress_guard_state_objects) vs $(server_objects))"; sleep 0.5; }

# Deletes every mesh object, Service and Deployment the scenarios created; the DELETEs must all be admitted.
reset_cluster() {
  local out
  if ! out=$(kubectl delete "$mesh_kinds" --all -A --wait=false 2>&1); then
    failed "reset" "a DELETE was refused: $(oneline <<<"$out")"
  fi
  for ns in $(kubectl get ns -o jsonpath='{.items[*].metadata.name}'); do
    case $ns in kube-system|kube-public|kube-node-lease|egress-guard) continue ;; esac
    kubectl delete deployments.apps --all -n "$ns" >/dev/null
    kubectl delete services -n "$ns" --field-selector metadata.name!=kubernetes >/dev/null
    case $ns in default|istio-system) continue ;; esac
    # No namespace controller runs: finalize the namespace by hand once it is empty.
    kubectl delete namespace "$ns" --wait=false >/dev/null
    kubectl get namespace "$ns" -o json | sed 's/"kubernetes"//' \
      | kubectl replace --raw "/api/v1/namespaces/$ns/finalize" -f - >/dev/null
  done
  settle
}

# Applies the documents on stdin (if any) quietly; says what went wrong otherwise.
apply_quiet() {
  local docs err
  docs=$(cat)
  grep -q '^kind:' <<<"$docs" || return 0
  err=$(kubectl apply -f - <<<"$docs" 2>&1 >/dev/null | grep -v '^Warning: ') || true
  [[ -z $err ]] || log "apply: $err"
}

# apply FILE... ; sets $out (kubectl's stdout and stderr) and $rc.
apply() { out=$(kubectl apply "$@" 2>&1) && rc=0 || rc=$?; }

# The codes expected by an example (its "# Expected findings:" header) and their severities (docs/rules.md).
expected_findings() { sed -n 's/^# Expected findings: //p' "$1" | grep -o 'EG[0-9]* ([A-Za-z]* [^)]*)'; }
severity() { awk -F'|' -v c="[$1]" 'index($2, c) { gsub(/ /, "", $3); print $3; exit }' docs/rules.md; }

# The documents of example files that the webhook reviews, and the others (namespaces, the stand-in egress
# gateway Deployment and Service, the GatewayClass).
reviewed_docs() {
  awk 'BEGIN { RS = "\n---\n" } /apiVersion: *(networking\.istio\.io|gateway\.networking\.k8s\.io|networking\.k8s\.io)/ && !/kind: *GatewayClass/ { print "---"; print }' "$@"
}
baseline_docs() {
  awk 'BEGIN { RS = "\n---\n" } /\nkind:/ && !(/apiVersion: *(networking\.istio\.io|gateway\.networking\.k8s\.io|networking\.k8s\.io)/ && !/kind: *GatewayClass/) { print "---"; print }' "$@"
}

# A Gateway API egress path is two routes: the one into the gateway warns (EG204) while the one out of it does
# not exist yet, so their routes are applied last, the route out of the gateway first.
routes_reversed() {
  awk 'BEGIN { RS = "\n---\n" } /kind: *(HTTPRoute|TLSRoute)\n/ { d[n++] = $0 } END { while (n--) { print "---"; print d[n] } }' "$1"
}
not_routes() { awk 'BEGIN { RS = "\n---\n" } /\nkind:/ && !/kind: *(HTTPRoute|TLSRoute)\n/ { print "---"; print }' "$1"; }

# Every expected finding of FILE appears in $out: an error in the denial, a warning as a Warning: line.
check_expected() { # NAME FILE
  local name=$1 file=$2 finding code object sev missing=() denied=0
  grep -q 'denied the request' <<<"$out" && denied=1
  while read -r finding; do
    code=${finding%% *}; object=${finding#* (}; object=${object%)}
    sev=$(severity "$code")
    if [[ $sev == error ]]; then
      grep 'denied the request' <<<"$out" | grep -qF "$code $object" || missing+=("$code $object (error, not in a denial)")
    else
      grep '^Warning: ' <<<"$out" | grep -qF "$code $object" || missing+=("$code $object ($sev, no Warning: line)")
    fi
  done < <(expected_findings "$file")
  if ((${#missing[@]})); then
    failed "$name" "missing ${missing[*]}; kubectl said: $(oneline <<<"$out")"
  elif [[ $(grep -o 'EG[0-9]*' <<<"$(sed -n 's/^# Expected findings: //p' "$file")" | while read -r c; do severity "$c"; done | grep -c error) -gt 0 && $rc == 0 ]]; then
    failed "$name" "an error finding but kubectl succeeded"
  else
    ok "$name" "$( ((denied)) && echo denied || echo admitted with warnings): $(grep -o 'EG[0-9]* [A-Za-z]* [a-z0-9./-]*' <<<"$out" | sort -u | paste -sd, -)"
  fi
}

# ---- scenarios -------------------------------------------------------------------------------------------

register_webhook
ok "rbac" "ready with the chart's ClusterRole only, registered as $(grep -c '^  - name: ' "$work/vwc-chart.yaml") webhook(s) with failurePolicy $(sed -n 's/^ *failurePolicy: //p' "$work/vwc-chart.yaml" | head -1)"
# A start tells the operator nothing to act on: no line above INFO in the webhook's log so far.
# Scenario $1: the webhook's log so far has no line above INFO ($2: who logged its lines).
log_quiet() {
  local alarms
  alarms=$(grep -E '^[0-9-]+ [0-9:,]+ (WARN|ERROR|FATAL) ' "$work/egress-guard.log" || true)
  if [[ -z $alarms ]]; then
    ok "$1" "$(grep -c . "$work/egress-guard.log") line(s) logged by $2, none above INFO"
  else
    failed "$1" "$(oneline <<<"$alarms")"
  fi
}
log_quiet start-log "the start"

log "correct examples"
kubectl apply -f examples/cluster >/dev/null 2>&1
settle
for file in examples/correct/istio-api-http.yaml examples/correct/istio-api-tls.yaml examples/correct/gateway-api-http.yaml \
    examples/correct/gateway-api-tls.yaml examples/correct/network-policy.yaml; do
  name=correct/$(basename "$file" .yaml)
  # Namespaces, Services and Deployments reach the webhook through the informers only: they go first.
  baseline_docs "$file" | apply_quiet
  settle
  apply -f - < <(reviewed_docs <(not_routes "$file") <(routes_reversed "$file"))
  eg_warnings=$(grep '^Warning: EG' <<<"$out" || true)
  if ((rc != 0)); then
    failed "$name" "kubectl apply failed: $(oneline <<<"$out")"
  elif [[ -n $eg_warnings ]]; then
    failed "$name" "warnings: $(oneline <<<"$eg_warnings")"
  else
    ok "$name" "$(grep -vc '^Warning:' <<<"$out") objects, no egress-guard warning"
  fi
done
settle

# UPDATE that introduces an error: the first route (mesh only) of a correct VirtualService loses its gateway
# match, so the route to the egress gateway applies at the gateway too (EG202).
loop_patch='[{"op":"remove","path":"/spec/http/0/match/0/gateways"}]'
out=$(kubectl patch virtualservice github-through-egress -n default --type json -p "$loop_patch" 2>&1) && rc=0 || rc=$?
if ((rc != 0)) && grep -q 'denied the request.*EG202 VirtualService default/github-through-egress' <<<"$out"; then
  ok update-introduces-error "denied: $(grep -o 'EG202[^:]*' <<<"$out" | head -1)"
  denial_output=$out
else
  failed update-introduces-error "rc=$rc: $(oneline <<<"$out")"
fi

# An object that already has an error (created while the webhook was not registered): an unrelated update
# (a label) is admitted, with the old error as a warning; then server dry-run gets the same answers.
unregister_webhook
kubectl patch virtualservice github-through-egress -n default --type json -p "$loop_patch" >/dev/null
register_webhook
settle
out=$(kubectl label virtualservice github-through-egress -n default team=payments 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q '^Warning: EG202 VirtualService default/github-through-egress' <<<"$out"; then
  ok update-unrelated-old-error "admitted, $(grep -c '^Warning:' <<<"$out") warning(s): $(grep -o '^Warning: EG202[^:]*' <<<"$out" | head -1)"
else
  failed update-unrelated-old-error "rc=$rc: $(oneline <<<"$out")"
fi
# Fix it again (an UPDATE that removes the error is admitted).
apply -f examples/correct/istio-api-http.yaml
((rc == 0)) || failed update-fix "rc=$rc: $(oneline <<<"$out")"
settle

# Server dry-run: the same answers, nothing stored.
out_real=$(kubectl patch virtualservice github-through-egress -n default --type json -p "$loop_patch" 2>&1) || true
out_dry=$(kubectl patch virtualservice github-through-egress -n default --type json -p "$loop_patch" --dry-run=server 2>&1) && rc=0 || rc=$?
msg() { grep -o 'denied the request: .*' <<<"$1"; }
if ((rc != 0)) && [[ -n $(msg "$out_dry") && $(msg "$out_dry") == "$(msg "$out_real")" ]]; then
  ok dry-run-denial "same denial as without --dry-run"
else
  failed dry-run-denial "rc=$rc; dry-run: $(oneline <<<"$out_dry"); real: $(oneline <<<"$out_real")"
fi
# A warning under dry run: the VirtualService alone, once its ServiceEntry, Gateway and DestinationRule exist
# (objects of a dry run are not stored, so later ones of the same call cannot see them).
warn_file=examples/broken/missing-mesh-gateway.yaml
reviewed_docs "$warn_file" | awk 'BEGIN { RS = "\n---\n" } /\nkind:/ && !/kind: *VirtualService\n/ { print "---"; print }' \
  | apply_quiet
settle
warn_vs=$(reviewed_docs "$warn_file" | awk 'BEGIN { RS = "\n---\n" } /kind: *VirtualService\n/ { print "---"; print }')
out_dry=$(kubectl apply --dry-run=server -f - <<<"$warn_vs" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q '^Warning: EG201' <<<"$out_dry" && ! kubectl get virtualservice ifconfig-through-egress -n default >/dev/null 2>&1; then
  ok dry-run-warning "$(grep -c '^Warning: EG201' <<<"$out_dry") EG201 warning(s), nothing stored"
else
  failed dry-run-warning "rc=$rc: $(oneline <<<"$out_dry")"
fi
# The warning case for real (kept for the report).
out=$(kubectl apply -f - <<<"$warn_vs" 2>&1) && rc=0 || rc=$?
warning_output=$out
if ((rc == 0)) && grep -q '^Warning: EG201' <<<"$out" && [[ $(grep '^Warning:' <<<"$out") == $(grep '^Warning:' <<<"$out_dry") ]]; then
  ok warning "admitted with $(grep -c '^Warning:' <<<"$out") Warning: line(s), the same as under dry run"
else
  failed warning "rc=$rc: $(oneline <<<"$out")"
fi
settle

# DELETE is never denied, even when it breaks routes (the ServiceEntry and Gateway the VirtualService needs).
out=$(kubectl delete serviceentry github -n default 2>&1) && rc=0 || rc=$?
out2=$(kubectl delete gateways.networking.istio.io github-egress -n default 2>&1) && rc2=0 || rc2=$?
if ((rc == 0 && rc2 == 0)); then
  ok delete "admitted, $(cat <<<"$out$out2" | grep -c '^Warning:') warning(s) about what it breaks"
else
  failed delete "rc=$rc/$rc2: $(oneline <<<"$out $out2")"
fi
apply -f examples/correct/istio-api-http.yaml
settle

# The suppression annotation, and a namespace labelled egress-guard.io/ignore=true.
loop_vs=$(reviewed_docs examples/broken/route-loop.yaml | awk 'BEGIN { RS = "\n---\n" } /kind: *VirtualService/ { print "---"; print }')
reviewed_docs examples/broken/route-loop.yaml | awk 'BEGIN { RS = "\n---\n" } !/kind: *VirtualService/ && /kind:/ { print "---"; print }' \
  | kubectl apply -f - >/dev/null
settle
out=$(kubectl annotate --local -f - -o yaml egress-guard.io/suppress=EG202 <<<"$loop_vs" | kubectl apply -f - 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && ! grep -q 'EG202' <<<"$out"; then
  ok suppress-annotation "EG202 suppressed: admitted$(grep -q '^Warning:' <<<"$out" && echo " with other warnings: $(grep '^Warning:' <<<"$out" | oneline)")"
else
  failed suppress-annotation "rc=$rc: $(oneline <<<"$out")"
fi
kubectl delete virtualservice slack-through-egress -n default >/dev/null 2>&1 || true
kubectl create namespace eg-ignored >/dev/null
kubectl label namespace eg-ignored egress-guard.io/ignore=true >/dev/null
settle
reviews_before=$(curl -fsS "http://127.0.0.1:$mgmt_port/q/metrics" | awk '/^egress_guard_reviews_total/ { s += $2 } END { print s + 0 }')
out=$(sed 's/namespace: default/namespace: eg-ignored/' <<<"$loop_vs" | kubectl apply -f - 2>&1) && rc=0 || rc=$?
reviews_after=$(curl -fsS "http://127.0.0.1:$mgmt_port/q/metrics" | awk '/^egress_guard_reviews_total/ { s += $2 } END { print s + 0 }')
if ((rc == 0)) && ! grep -q '^Warning:' <<<"$out"; then
  ok ignored-namespace "a routing loop admitted silently; reviews sent to the webhook: $((${reviews_after%.*} - ${reviews_before%.*}))"
else
  failed ignored-namespace "rc=$rc: $(oneline <<<"$out")"
fi

# A ServiceEntry, and right after it a VirtualService relying on it: how long until the webhook's state
# holds the ServiceEntry, and what the VirtualService gets meanwhile.
fresh=$(sed -e 's/api\.github\.com/fresh.example.com/g' -e 's/github/fresh/g' examples/correct/istio-api-http.yaml)
docs_of() { awk -v k="$1" 'BEGIN { RS = "\n---\n" } $0 ~ "kind: *" k "\n" { print "---"; print }'; }
millis() { date +%s%3N; }
delays=()
for i in 1 2 3 4 5; do
  before=$(metric egress_guard_state_objects)
  sed "s/name: fresh$/name: fresh-$i/" <<<"$fresh" | docs_of ServiceEntry | kubectl apply -f - >/dev/null
  t0=$(millis)
  until (($(metric egress_guard_state_objects) > before)); do sleep 0.02; done
  delays+=($(($(millis) - t0)))
  kubectl delete serviceentry "fresh-$i" -n default >/dev/null
  settle
done
{ docs_of Gateway <<<"$fresh"; docs_of DestinationRule <<<"$fresh"; } | kubectl apply -f - >/dev/null
settle
out=$({ docs_of ServiceEntry <<<"$fresh"; docs_of VirtualService <<<"$fresh"; } | kubectl apply -f - 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && ! grep -q 'does not exist' <<<"$out"; then
  ok informer-delay "ServiceEntry seen by the webhook $(printf '%s ' "${delays[@]}")ms after kubectl returned; the VirtualService applied in the same kubectl call judged with it: $(grep -q '^Warning:' <<<"$out" && grep -o '^Warning: EG[0-9]*' <<<"$out" | sort -u | oneline || echo 'no warning')"
else
  failed informer-delay "rc=$rc (delays ${delays[*]} ms): $(oneline <<<"$out")"
fi
settle

# The CLI against the same cluster, with the webhook's token; and the webhook's own periodic audit.
audit_json=$(java -jar "$jar" audit --kubeconfig "$work/egress-guard.kubeconfig" -o json 2>"$work/audit.err") && rc=0 || rc=$?
summary() { tr -d '\n ' | grep -o '"summary":{[^}]*}' | head -1 || true; }
cli_summary=$(summary <<<"$audit_json")
if ((rc <= 1)) && [[ -n $cli_summary ]]; then
  ok audit-cli "exit $rc, $cli_summary"
else
  failed audit-cli "exit $rc: $(oneline < "$work/audit.err") $(oneline <<<"$audit_json")"
fi
out=$(java -jar "$jar" explain --kubeconfig "$work/egress-guard.kubeconfig" --from payments --to registry.npmjs.org:443 2>&1) && rc=0 || rc=$?
if ((rc == 0)); then
  ok explain-cli "payments -> registry.npmjs.org:443, every hop works ($(grep -c . <<<"$out") lines)"
else
  failed explain-cli "exit $rc: $(grep -v '^ *[0-9]*\. ok\|^  *- ' <<<"$out" | oneline)"
fi
# /explain and /q/audit reveal the topology: a bearer token checked with TokenReview and SubjectAccessReview,
# here of a ServiceAccount bound to the chart's topology-reader ClusterRole; without one, 401.
kubectl -n egress-guard create serviceaccount topology-reader >/dev/null
kubectl create clusterrolebinding e2e-topology-reader --clusterrole egress-guard-topology-reader \
  --serviceaccount egress-guard:topology-reader >/dev/null
reader=$(kubectl create token topology-reader -n egress-guard --duration 1h)
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mgmt_port/q/audit" 2>&1) || true
if [[ $code == 401 ]]; then ok management-token "/q/audit without a token: 401"; else failed management-token "/q/audit without a token: $code"; fi
out=$(curl -fsS -H "Authorization: Bearer $reader" "http://127.0.0.1:$mgmt_port/explain?from=payments&to=registry.npmjs.org:443" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q 'registry.npmjs.org' <<<"$out"; then ok explain-endpoint; else failed explain-endpoint "$(oneline <<<"$out")"; fi
sleep "${AUDIT_INTERVAL_WAIT:-6}"   # one audit interval after the last change
out=$(curl -fsS -H "Authorization: Bearer $reader" "http://127.0.0.1:$mgmt_port/q/audit" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && [[ $(summary <<<"$out") == "$cli_summary" ]]; then
  ok q-audit "same summary as the CLI"
elif ((rc == 0)) && [[ -n $(summary <<<"$out") ]]; then
  failed q-audit "summary $(summary <<<"$out") differs from the CLI's $cli_summary"
else
  failed q-audit "$(oneline <<<"$out")"
fi

# The mesh config, read through the chart's Role for that one ConfigMap: with REGISTRY_ONLY, sidecars send a
# host that no ServiceEntry declares to BlackHoleCluster, and the webhook's /explain says so from its informers.
kubectl -n istio-system create configmap istio --from-literal=mesh='outboundTrafficPolicy: {mode: REGISTRY_ONLY}' >/dev/null
settle
out=$(curl -fsS -H "Authorization: Bearer $reader" "http://127.0.0.1:$mgmt_port/explain?from=payments&to=unlisted.example.com:443" 2>&1) && rc=0 || rc=$?
if ((rc == 0)) && grep -q 'BlackHoleCluster' <<<"$out"; then
  ok mesh-config "REGISTRY_ONLY read from ConfigMap istio-system/istio: payments -> unlisted.example.com:443 blackholed"
else
  failed mesh-config "$(oneline <<<"$out")"
fi
kubectl -n istio-system delete configmap istio >/dev/null
settle

# The webhook unavailable: stopped (connection refused) and frozen (no answer: the timeout), under
# failurePolicy Fail and Ignore.
probe_se() { sed "s/name: fresh$/name: probe-$1/" <<<"$fresh" | docs_of ServiceEntry; }
down_case() { # NAME POLICY TIMEOUT EXPECT(denied|admitted)
  register_webhook "$2" "$3"
  local t0 t1
  t0=$(millis)
  out=$(probe_se "$1" | kubectl apply -f - 2>&1) && rc=0 || rc=$?
  t1=$(millis)
  if [[ $4 == denied && $rc != 0 ]] || [[ $4 == admitted && $rc == 0 ]]; then
    ok "$1" "$4 after $((t1 - t0)) ms: $(oneline <<<"$out")"
  else
    failed "$1" "rc=$rc after $((t1 - t0)) ms: $(oneline <<<"$out")"
  fi
  eval "${1//-/_}_output=\$out"
}
kill -STOP "$webhook_pid"
down_case webhook-frozen-fail Fail 2 denied
down_case webhook-frozen-ignore Ignore 2 admitted
kill -CONT "$webhook_pid"
stop_webhook
down_case webhook-stopped-fail Fail "" denied
down_case webhook-stopped-ignore Ignore "" admitted
out=$(kubectl create configmap still-works -n egress-guard 2>&1) && rc=0 || rc=$?
((rc == 0)) && ok webhook-stopped-own-namespace "the webhook's namespace is never sent to it" || failed webhook-stopped-own-namespace "$(oneline <<<"$out")"
start_webhook
wait_for 120 webhook_ready || failed restart "not ready again"
register_webhook
out=$(reviewed_docs examples/broken/route-loop.yaml | docs_of VirtualService | kubectl apply -f - 2>&1) && rc=0 || rc=$?
((rc != 0)) && grep -q EG202 <<<"$out" && ok webhook-restarted "denies again" || failed webhook-restarted "rc=$rc: $(oneline <<<"$out")"

log "broken examples"
for file in examples/broken/*.yaml; do
  name=broken/$(basename "$file" .yaml)
  reset_cluster
  baseline_docs "$file" | apply_quiet
  settle
  apply -f - < <(reviewed_docs <(not_routes "$file") <(routes_reversed "$file"))
  check_expected "$name" "$file"
done
reset_cluster

# The audit's results where cluster users look: an object broken while the webhook was not registered gets
# its codes in the namespace's PolicyReport and a Warning Event; fixed, the report goes. The webhook writes
# them with the chart's ClusterRole only.
log "audit results: PolicyReports and Events"
audit_file=examples/broken/resolution-none-loop.yaml
unregister_webhook
baseline_docs "$audit_file" | apply_quiet
settle
reviewed_docs "$audit_file" | apply_quiet
register_webhook
settle
report_codes() { kubectl get policyreport egress-guard -n default -o jsonpath='{.results[*].policy}' 2>/dev/null; }
has_codes() { [[ " $(report_codes) " == *" EG101 "* ]]; }
if wait_for 30 has_codes; then
  polr_list=$(kubectl get policyreports -A 2>&1)
  polr_yaml=$(kubectl get policyreport egress-guard -n default -o yaml 2>&1)
  summary_fail=$(kubectl get policyreport egress-guard -n default -o jsonpath='{.summary.fail}')
  manager=$(kubectl get policyreport egress-guard -n default -o jsonpath='{.metadata.managedFields[*].manager}')
  if [[ $manager == egress-guard && $summary_fail -ge 2 ]] && grep -q 'egress-guard' <<<"$polr_list"; then
    ok policyreport "codes $(report_codes | tr ' ' '\n' | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }'); fail $summary_fail; written by $manager (server-side apply)"
  else
    failed policyreport "manager '$manager', fail '$summary_fail': $(oneline <<<"$polr_list")"
  fi
else
  failed policyreport "no EG101 in the default namespace's PolicyReport after 30 s: $(kubectl get policyreports -A 2>&1 | oneline)"
fi
# Findings on Namespaces (EG901) go to the ClusterPolicyReport: there exactly when the audit has some.
namespace_findings=$(curl -fsS -H "Authorization: Bearer $reader" "http://127.0.0.1:$mgmt_port/q/audit" \
  | tr -d '\n ' | grep -o '"kind":"Namespace"' | wc -l) || true
cpolr_list=$(kubectl get clusterpolicyreports 2>&1)
has_cpolr=0; grep -q '^egress-guard ' <<<"$cpolr_list" && has_cpolr=1
if ((has_cpolr == (namespace_findings > 0))); then
  ok clusterpolicyreport "$( ((has_cpolr)) && echo "codes $(kubectl get clusterpolicyreport egress-guard -o jsonpath='{.results[*].policy}') for $namespace_findings finding(s) on Namespaces" || echo "none, as the audit has no finding on a Namespace")"
else
  failed clusterpolicyreport "$namespace_findings finding(s) on Namespaces, but: $(oneline <<<"$cpolr_list")"
fi
# One Event per object and code, however many audits ran since (the audit runs every 5 s here); the report
# of unchanged findings is not written again (same resourceVersion).
version_before=$(kubectl get policyreport egress-guard -n default -o jsonpath='{.metadata.resourceVersion}')
sleep 11
version_after=$(kubectl get policyreport egress-guard -n default -o jsonpath='{.metadata.resourceVersion}')
if [[ -n $version_before && $version_before == "$version_after" ]]; then
  ok policyreport-unchanged "resourceVersion $version_after after two more audits"
else
  failed policyreport-unchanged "resourceVersion $version_before, then $version_after"
fi
events_out=$(kubectl events -n default --types Warning 2>&1)
se_events=$(kubectl get events -n default --field-selector source=egress-guard,reason=EG101,involvedObject.kind=ServiceEntry,involvedObject.name=stripe -o name | wc -l)
vs_events=$(kubectl get events -n default --field-selector source=egress-guard,reason=EG101,involvedObject.kind=VirtualService,involvedObject.name=stripe-through-egress -o name | wc -l)
if ((se_events == 1 && vs_events == 1)); then
  ok audit-events "one Warning EG101 Event on ServiceEntry default/stripe and one on VirtualService default/stripe-through-egress, two audits later still one each"
else
  failed audit-events "EG101 Events: ServiceEntry $se_events, VirtualService $vs_events: $(oneline <<<"$events_out")"
fi
# The fix: resolution DNS. The next audit deletes the report (nothing else is found in default).
out=$(kubectl patch serviceentry stripe -n default --type merge -p '{"spec":{"resolution":"DNS"}}' 2>&1) && rc=0 || rc=$?
report_gone() { ! kubectl get policyreport egress-guard -n default >/dev/null 2>&1; }
if ((rc == 0)) && wait_for 30 report_gone; then
  polr_after=$(kubectl get policyreports -A 2>&1)
  ok policyreport-fixed "the fix admitted; the PolicyReport deleted by the next audit"
else
  failed policyreport-fixed "rc=$rc, codes still reported: $(report_codes) $(oneline <<<"$out")"
fi
reset_cluster

# Nothing of the above was the operator's to act on: the webhook's log over the whole run (both processes, every
# scenario: reviews denied and warned, the audit writing and deleting reports and Events) has no line above INFO.
log_quiet run-log "the webhook"


# ---- latency through the API server ----------------------------------------------------------------------

if [[ ${BENCH:-1000} != 0 ]]; then
  log "latency: ${BENCH:-1000} ServiceEntries without and with the webhook"
  kubectl create namespace bench >/dev/null
  review_stats() { curl -fsS "http://127.0.0.1:$mgmt_port/q/metrics" | awk '
    /^egress_guard_review_seconds_count/ { c += $2 } /^egress_guard_review_seconds_sum/ { s += $2 } END { print c + 0, s + 0 }'; }
  bench_run() { # LABEL
    if "$latency_bin" -kubeconfig "$KUBECONFIG" -namespace bench -n "${BENCH:-1000}" -burst 20 -label "$1" \
      > "$work/bench-$1.txt" 2> "$work/bench-$1.err"; then
      ok "latency-$1" "$(awk '{ printf "%s%s p50 %s p99 %s ms", (NR > 1 ? "; " : ""), $2, substr($5, 8), substr($6, 8) }' "$work/bench-$1.txt")"
    else
      failed "latency-$1" "$(head -3 "$work/bench-$1.err" | oneline)"
    fi
    cat "$work/bench-$1.txt" >&2
    settle
  }
  unregister_webhook
  bench_run without-webhook
  register_webhook
  settle
  read -r count0 sum0 < <(review_stats)
  bench_run with-webhook
  read -r count1 sum1 < <(review_stats)
  awk -v c="$((${count1%.*} - ${count0%.*}))" -v s0="$sum0" -v s1="$sum1" \
    'BEGIN { if (c > 0) printf "time in the webhook per review (egress_guard_review_seconds): %.2f ms over %d reviews\n", (s1 - s0) * 1000 / c, c }' >&2
  {
    echo "| phase | without webhook p50 / p99 (ms) | with webhook p50 / p99 (ms) | added p50 / p99 (ms) |"
    echo "|---|---|---|---|"
    join <(awk '{ print $2, substr($5, 8), substr($6, 8) }' "$work/bench-without-webhook.txt" | sort) \
         <(awk '{ print $2, substr($5, 8), substr($6, 8) }' "$work/bench-with-webhook.txt" | sort) \
      | awk '{ printf "| %s | %s / %s | %s / %s | %+.1f / %+.1f |\n", $1, $2, $3, $4, $5, $4 - $2, $5 - $3 }'
  } > "$work/bench-table.md"
  cat "$work/bench-table.md" >&2
fi

# ---- time to ready with a large state --------------------------------------------------------------------

# READY_STATE=DIR: the manifests of DIR (e.g. bench/LargeMesh's 21,000 objects) created through the API server
# with kubectl apply, as a GitOps tool or a platform team would (each object then carries the
# last-applied-configuration annotation and managedFields), then egress-guard restarted READY_STARTS times
# (default 3): the time from its start until /q/health/ready answers 200, its informers having listed
# everything. The API server and etcd run on the same cores and answer the lists meanwhile.
if [[ -n ${READY_STATE:-} ]]; then
  unregister_webhook
  stop_webhook
  log "ready: applying $READY_STATE"
  apply_started=$SECONDS
  # Namespaces first, then the other documents in four parallel kubectl runs.
  awk 'BEGIN { RS = "\n---\n" } /\nkind: *Namespace *\n/ || /^kind: *Namespace *\n/ { print "---"; print }' \
    $(find "$READY_STATE" -name '*.yaml' | sort) > "$work/ready-namespaces.yaml"
  awk -v dir="$work" 'BEGIN { RS = "\n---\n" } /kind:/ && !(/\nkind: *Namespace *\n/ || /^kind: *Namespace *\n/) {
      print "---" > (dir "/ready-part-" (n % 4) ".yaml"); print > (dir "/ready-part-" (n % 4) ".yaml"); n++ }' \
    $(find "$READY_STATE" -name '*.yaml' | sort)
  kubectl apply -f "$work/ready-namespaces.yaml" >/dev/null
  apply_pids=()
  for part in "$work"/ready-part-*.yaml; do
    kubectl apply -f "$part" > /dev/null 2> "$part.err" & apply_pids+=($!)
  done
  apply_failed=0
  for pid in "${apply_pids[@]}"; do wait "$pid" || apply_failed=1; done
  objects=$(server_objects)
  if ((apply_failed)); then
    failed ready-large-state "kubectl apply: $(cat "$work"/ready-part-*.err | head -3 | oneline)"
  else
    log "ready: $objects objects in the API server after $((SECONDS - apply_started)) s of kubectl apply"
    ready_time() { # JAR OPTIONS: one start of JAR with those JVM options; sets $t to the milliseconds until it was ready
      local started
      started=$(date +%s%N)
      JAVA_OPTS=$2 jar=$1 start_webhook
      wait_for 300 webhook_ready && t=$(( ($(date +%s%N) - started) / 1000000 )) || t=
      stop_webhook
      [[ -n $t ]]
    }
    median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    # READY_BEFORE=JAR: another build (the one before a change), its starts taking turns with this build's.
    names=("this build") jars=("$jar") options=("${JAVA_OPTS:-$IMAGE_JVM_OPTIONS}")
    if [[ -n ${READY_BEFORE:-} ]]; then
      names=("$READY_BEFORE${READY_BEFORE_OPTS:+ with $READY_BEFORE_OPTS}" "${names[@]}")
      jars=("$READY_BEFORE" "${jars[@]}") options=("${READY_BEFORE_OPTS:-${options[0]}}" "${options[@]}")
    fi
    times=()
    for ((round = 0; round < ${READY_STARTS:-3}; round++)); do
      for j in "${!jars[@]}"; do
        ready_time "${jars[j]}" "${options[j]}" \
          || { failed ready-large-state "${names[j]} not ready within 300 s: $(tail -3 "$work/egress-guard.log" | oneline)"; break 2; }
        times[j]="${times[j]:-}$t "
      done
    done
    for j in "${!jars[@]}"; do
      [[ -n ${times[j]:-} ]] || continue
      ok ready-large-state "${names[j]}: $objects objects in the API server, ready after \
$(tr ' ' '\n' <<<"${times[j]}" | grep . | median) ms (median; starts: ${times[j]% }ms)"
    done
  fi
fi

# ---- summary ---------------------------------------------------------------------------------------------

if [[ -n ${SHOW_OUTPUT:-} ]]; then
  printf '\n-- kubectl, a denial:\n%s\n' "${denial_output:-}"
  printf '\n-- kubectl, a warning:\n%s\n' "${warning_output:-}"
  printf '\n-- kubectl, webhook stopped, failurePolicy Fail:\n%s\n' "${webhook_stopped_fail_output:-}"
  printf '\n-- kubectl, webhook stopped, failurePolicy Ignore:\n%s\n' "${webhook_stopped_ignore_output:-}"
  printf '\n-- kubectl, webhook frozen, failurePolicy Fail (timeoutSeconds 2):\n%s\n' "${webhook_frozen_fail_output:-}"
  printf '\n-- kubectl get policyreports -A (after an audit of %s):\n%s\n' "$audit_file" "${polr_list:-}"
  printf '\n-- kubectl get policyreport egress-guard -n default -o yaml:\n%s\n' "${polr_yaml:-}"
  printf '\n-- kubectl get clusterpolicyreports:\n%s\n' "${cpolr_list:-}"
  printf '\n-- kubectl events -n default --types Warning:\n%s\n' "${events_out:-}"
  printf '\n-- kubectl get policyreports -A (after the fix):\n%s\n' "${polr_after:-}"
fi
echo "$passed passed, $failures failed in $((SECONDS - script_started)) s"
((failures == 0))
