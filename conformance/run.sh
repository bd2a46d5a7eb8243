#!/usr/bin/env bash
# Conformance of egress-guard's `explain` with Istio's own control plane.
#
#   conformance/run.sh [--cases N] [--seed S] [--out DIR]
#
# For every bundle (Istio's docs corpus, examples/, the routing rule fixtures and N generated configurations)
# and every request traced through it, compares the outcome of egress-guard's explain with the outcome of
# pilot's traffic simulation (listener, route and cluster of the client sidecar, then of the egress gateway).
# Also runs `istioctl analyze --use-kube=false` on every bundle, for a side-by-side coverage table.
# Last line: agreement: A/T (docs corpus D/Dt, examples E/Et, fixtures F/Ft, generated G/N)
# Exit status: 0 when every disagreement is listed in conformance/known-limits.txt, 1 otherwise, 2 on errors.
#
# Needs Go (the version in conformance/go.mod) and a JDK 17+. Go's module and build caches stay outside the
# repository (GOMODCACHE, GOCACHE defaults); binaries go to ${XDG_CACHE_HOME:-$HOME/.cache}/egress-guard-conformance.
# EG_EXPLAIN=cli runs each explain as its own `java -jar ... explain` (slow); the default runs them in one JVM
# with the same calls as the CLI (conformance/java/ExplainBatch.java).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cases=200
seed=1
out=""
while (($#)); do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

cache="${XDG_CACHE_HOME:-$HOME/.cache}/egress-guard-conformance"
out="${out:-${TMPDIR:-/tmp}/egress-guard-conformance-$(date -u +%Y%m%dT%H%M%S)}"
mkdir -p "$cache" "$out"
export PATH="$PATH:/usr/local/go/bin"
# TLSRoute (used by Istio's docs for HTTPS through a Gateway API gateway) is an alpha API in Istio.
export PILOT_ENABLE_ALPHA_GATEWAY_API=true
start=$(date +%s)
say() { echo "[$(($(date +%s) - start))s] $*"; }

# 1. egress-guard
jar="$repo/target/quarkus-app/quarkus-run.jar"
if [[ ! -f "$jar" ]]; then
  say "building egress-guard (./mvnw -B package -DskipTests -q)"
  (cd "$repo" && ./mvnw -B package -DskipTests -q)
fi
cp="$repo/target/quarkus-app/app/*:$repo/target/quarkus-app/lib/main/*"

# 2. the Go tool and istioctl, from the Istio module version of go.mod
command -v go >/dev/null || { echo "go not found" >&2; exit 2; }
istio_version="$(cd "$here" && go list -m -f '{{.Version}}' istio.io/istio)"
say "building egsim (istio.io/istio $istio_version)"
(cd "$here" && go build -o "$cache/egsim" ./egsim)
istioctl="$cache/istioctl-$istio_version"
if [[ ! -x "$istioctl" ]]; then
  say "building istioctl $istio_version"
  (cd "$here" && go build -o "$istioctl" istio.io/istio/istioctl/cmd/istioctl)
fi

# 3. the plan: bundles and requests
docs=""
for d in /work/shared/corpus/istio-docs "$repo/../shared/corpus/istio-docs"; do
  if [[ -d "$d" ]]; then docs="$d"; break; fi
done
[[ -n "$docs" ]] || echo "Istio docs corpus not found (/work/shared/corpus/istio-docs or ../shared/corpus/istio-docs): skipped"
"$cache/egsim" plan --out "$out" --cases "$cases" --seed "$seed" --repo "$repo" ${docs:+--docs "$docs"}

# 4. both sides (Istio's simulation runs while the JVM works)
say "Istio: pilot simulation"
"$cache/egsim" sim --plan "$out/plan.json" --out "$out/istio.jsonl" 2>"$out/istio.log" &
sim_pid=$!

say "egress-guard: explain and check"
if [[ "${EG_EXPLAIN:-batch}" == cli ]]; then
  run_one() {
    IFS=$'\t' read -r -a f <<<"$1"
    mkdir -p "$(dirname "${f[1]}")"
    if [[ "${f[0]}" == explain ]]; then
      java -jar "$jar" explain --from "${f[2]}" --to "${f[3]}" --protocol "${f[4]}" -o json "${f[@]:5}" >"${f[1]}" 2>/dev/null || true
    else
      java -jar "$jar" check -o json "${f[@]:2}" 2>/dev/null \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(sorted({f["code"]+" "+f["severity"] for f in d["findings"]})))' >"${f[1]}" || true
    fi
  }
  export -f run_one
  export jar
  tr '\n' '\0' <"$out/egress-guard.tsv" | xargs -0 -P 2 -I{} bash -c 'run_one "$1"' _ {}
else
  mkdir -p "$cache/java"
  if [[ ! -f "$cache/java/ExplainBatch.class" || "$here/java/ExplainBatch.java" -nt "$cache/java/ExplainBatch.class" \
        || "$jar" -nt "$cache/java/ExplainBatch.class" ]]; then
    javac -d "$cache/java" -cp "$cp" "$here/java/ExplainBatch.java"
  fi
  java -cp "$cache/java:$cp" ExplainBatch "$out/egress-guard.tsv" 2>"$out/egress-guard.log"
fi

say "istioctl analyze --use-kube=false"
mkdir -p "$out/analyze"
while IFS=$'\t' read -r -a f; do
  id="${f[0]//[^A-Za-z0-9._-]/_}"
  "$istioctl" analyze --use-kube=false -o json "${f[@]:1}" >"$out/analyze/$id.json" 2>"$out/analyze/$id.err" || true
done <"$out/analyze.tsv"

wait "$sim_pid" || { echo "Istio simulation failed, see $out/istio.log" >&2; exit 2; }
say "comparing"
status=0
"$cache/egsim" compare --plan "$out/plan.json" --istio "$out/istio.jsonl" --eg "$out/egress-guard" \
  --analyze "$out/analyze" --known "$here/known-limits.txt" --out "$out" >"$out/report.txt" || status=$?
grep -v '^agreement:' "$out/report.txt" || true
say "done; results in $out (time on $(nproc) cores)"
grep '^agreement:' "$out/report.txt"
exit "$status"
