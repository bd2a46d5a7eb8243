#!/usr/bin/env bash
# Creates a CA and a serving certificate for the egress-guard webhook Service.
#
#   certs/generate.sh OUT_DIR [SERVICE] [NAMESPACE]
#
# Writes OUT_DIR/ca.crt, OUT_DIR/tls.crt and OUT_DIR/tls.key (the layout of a kubernetes.io/tls Secret plus
# the CA for the webhook's caBundle). The certificate is valid for SERVICE.NAMESPACE.svc and
# SERVICE.NAMESPACE.svc.cluster.local (defaults: egress-guard, egress-guard), and for localhost.
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  # The comment block at the top of this file, without the '#'.
  sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'
  [[ $# -ge 1 ]] && exit 0 || exit 2
fi
out=$1
service=${2:-egress-guard}
namespace=${3:-egress-guard}
days=${CERT_DAYS:-365}

command -v openssl >/dev/null || { echo "generate.sh: openssl is required" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
  -subj "/CN=egress-guard-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null

cat > "$work/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local,DNS:${service}.${namespace},DNS:localhost,IP:127.0.0.1
CNF

openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=${service}.${namespace}.svc" \
  -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
openssl x509 -req -sha256 -days "$days" -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
  -CAcreateserial -extfile "$work/ext.cnf" -out "$work/tls.crt" 2>/dev/null

# Write all three only once all succeeded: never a half-written key pair.
install -m 0644 "$work/ca.crt" "$out/ca.crt"
install -m 0644 "$work/tls.crt" "$out/tls.crt"
install -m 0600 "$work/tls.key" "$out/tls.key"
echo "wrote $out/ca.crt, $out/tls.crt, $out/tls.key for ${service}.${namespace}.svc"
