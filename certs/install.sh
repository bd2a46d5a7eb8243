#!/usr/bin/env bash
# Installs a key pair made by certs/generate.sh for the egress-guard webhook:
#
#   certs/install.sh DIR [NAMESPACE] [SECRET] [WEBHOOK_CONFIGURATION]
#
# First publishes DIR/ca.crt in the caBundle of every webhook of the ValidatingWebhookConfiguration (default
# egress-guard), next to the CAs already there that are still valid, then creates or replaces the
# kubernetes.io/tls Secret the Deployment mounts (defaults: namespace egress-guard, Secret egress-guard-tls).
# In that order the API server trusts the new certificate before any pod serves it: rotation has no outage,
# a new CA included. Once the pods serve the new certificate (about a minute), PRUNE=1 certs/install.sh DIR
# leaves only DIR/ca.crt in the caBundle. Without a webhook configuration yet (first installation, see
# deploy/README.md) only the Secret is created.
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  # The comment block at the top of this file, without the '#'.
  sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'
  [[ $# -ge 1 ]] && exit 0 || exit 2
fi
dir=$1
namespace=${2:-egress-guard}
secret=${3:-egress-guard-tls}
webhook=${4:-egress-guard}
kubectl=${KUBECTL:-kubectl}

for f in ca.crt tls.crt tls.key; do
  [[ -s $dir/$f ]] || { echo "install.sh: $dir/$f is missing (run certs/generate.sh $dir first)" >&2; exit 1; }
done

# The caBundle: DIR/ca.crt, then (unless PRUNE=1) each CA of the present bundle that differs and has not expired.
bundle() {
  local current
  cat "$dir/ca.crt"
  if [[ ${PRUNE:-0} != 1 ]]; then
    current=$("$kubectl" get validatingwebhookconfiguration "$webhook" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
    if [[ -n $current ]]; then
      mkdir -p "$work/old"
      base64 -d <<<"$current" | awk -v d="$work/old" '/-----BEGIN CERTIFICATE-----/ {n++} n {print > (d "/" n ".pem")}'
      local new
      new=$(openssl x509 -in "$dir/ca.crt" -noout -fingerprint -sha256)
      for pem in "$work/old"/*.pem; do
        [[ -e $pem ]] || continue
        [[ $(openssl x509 -in "$pem" -noout -fingerprint -sha256 2>/dev/null) == "$new" ]] && continue
        openssl x509 -in "$pem" -noout -checkend 0 >/dev/null 2>&1 || continue
        cat "$pem"
      done
    fi
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if "$kubectl" get validatingwebhookconfiguration "$webhook" -o name >/dev/null 2>&1; then
  bundle >"$work/bundle.pem"
  ca=$(base64 <"$work/bundle.pem" | tr -d '\n')
  count=$("$kubectl" get validatingwebhookconfiguration "$webhook" -o jsonpath='{range .webhooks[*]}x{end}')
  patch="["
  for ((i = 0; i < ${#count}; i++)); do
    [[ $i -gt 0 ]] && patch+=","
    patch+="{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$ca\"}"
  done
  patch+="]"
  "$kubectl" patch validatingwebhookconfiguration "$webhook" --type=json -p "$patch"
  echo "published the CA in the caBundle of ValidatingWebhookConfiguration $webhook ($(grep -c 'BEGIN CERTIFICATE' "$work/bundle.pem") CA(s))"
else
  echo "no ValidatingWebhookConfiguration $webhook yet: apply it once the Deployment is ready, then run this script again"
fi

"$kubectl" -n "$namespace" create secret tls "$secret" --cert="$dir/tls.crt" --key="$dir/tls.key" \
  --dry-run=client -o yaml | "$kubectl" apply -f -
echo "installed Secret $namespace/$secret"
