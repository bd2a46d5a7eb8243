#!/usr/bin/env bash
# End-to-end check of egress-guard on a kind cluster with Istio, for machines with Docker.
#
#   deploy/e2e/kind-e2e.sh            # from the repository root
#
# Needs: docker, kind, kubectl, helm, istioctl, openssl. Creates the kind cluster "egress-guard-e2e", installs
# Istio (demo profile, with the egress gateway), builds and loads the JVM image, installs the chart with a
# certificate from certs/generate.sh, then applies the examples: the correct ones must be admitted, a broken
# one (EG202, an error) must be denied, another (EG201, a warning) admitted with a warning.
# KEEP_CLUSTER=1 keeps the cluster afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

cluster=egress-guard-e2e
namespace=egress-guard
image=egress-guard:e2e
work=$(mktemp -d)

for tool in docker kind kubectl helm istioctl openssl; do
  command -v "$tool" >/dev/null || { echo "kind-e2e.sh: $tool is required" >&2; exit 1; }
done

cleanup() {
  rm -rf "$work"
  if [[ -z ${KEEP_CLUSTER:-} ]]; then kind delete cluster --name "$cluster" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# The examples carry the cluster objects they assume (namespaces, a stand-in egress gateway): on a real
# cluster apply only their Istio and Gateway API objects.
mesh_objects() {
  awk 'BEGIN { RS = "\n---\n" } /apiVersion: *(networking\.istio\.io|gateway\.networking\.k8s\.io)/ && !/kind: *GatewayClass/ { print "---"; print }' "$@"
}

step "cluster and Istio"
kind create cluster --name "$cluster" --wait 120s
istioctl install -y --set profile=demo
kubectl label namespace default istio-injection=enabled --overwrite
kubectl -n istio-system rollout status deployment/istio-egressgateway --timeout=180s

step "image"
docker build -f src/main/docker/Dockerfile.jvm -t "$image" .
kind load docker-image "$image" --name "$cluster"

step "egress-guard"
certs/generate.sh "$work/tls" egress-guard "$namespace"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$namespace" create secret tls egress-guard-tls --cert="$work/tls/tls.crt" --key="$work/tls/tls.key"
helm install egress-guard deploy/helm/egress-guard --namespace "$namespace" \
  --set createNamespace=false \
  --set image.repository="${image%%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --set webhook.caBundle="$(base64 < "$work/tls/ca.crt" | tr -d '\n')" --wait --timeout 180s
kubectl -n "$namespace" rollout status deployment/egress-guard --timeout=180s

step "correct configurations are admitted"
mesh_objects examples/correct/istio-api-tls.yaml examples/correct/istio-api-http.yaml | kubectl apply -f -

step "a routing loop (EG202) is denied"
if out=$(mesh_objects examples/broken/route-loop.yaml | kubectl apply -f - 2>&1); then
  echo "expected a denial, got: $out" >&2
  exit 1
fi
grep -q "EG202" <<<"$out" || { echo "denial does not name EG202: $out" >&2; exit 1; }
echo "$out" | grep EG202

step "a VirtualService without mesh (EG201) is admitted with a warning"
out=$(mesh_objects examples/broken/missing-mesh-gateway.yaml | kubectl apply -f - 2>&1)
grep -q "Warning: EG201" <<<"$out" || { echo "no EG201 warning: $out" >&2; exit 1; }
echo "$out" | grep "Warning: EG201"

step "passed"
