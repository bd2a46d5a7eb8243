#!/usr/bin/env bash
# Installs a key pair made by certs/generate.sh for the egress-guard webhook:
#
#   certs/install.sh DIR [NAMESPACE] [SECRET] [WEBHOOK_CONFIGURATION]
#
# Creates (or replaces) the kubernetes.io/tls Secret that the Deployment mounts (defaults: namespace
# egress-guard, Secret egress-guard-tls) and puts DIR/ca.crt into the caBundle of every webhook of the
# ValidatingWebhookConfiguration (default egress-guard), so the API server trusts the serving certificate.
# Rotation: run certs/generate.sh again, then this script; the pods reload the files without a restart.
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

"$kubectl" -n "$namespace" create secret tls "$secret" --cert="$dir/tls.crt" --key="$dir/tls.key" \
  --dry-run=client -o yaml | "$kubectl" apply -f -

ca=$(base64 < "$dir/ca.crt" | tr -d '\n')
count=$("$kubectl" get validatingwebhookconfiguration "$webhook" -o jsonpath='{range .webhooks[*]}x{end}')
patch="["
for ((i = 0; i < ${#count}; i++)); do
  [[ $i -gt 0 ]] && patch+=","
  patch+="{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$ca\"}"
done
patch+="]"
"$kubectl" patch validatingwebhookconfiguration "$webhook" --type=json -p "$patch"
echo "installed Secret $namespace/$secret and the caBundle of ValidatingWebhookConfiguration $webhook"
