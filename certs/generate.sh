#!/usr/bin/env bash
# Creates or renews the serving certificate of the egress-guard webhook Service, signed by a CA kept in OUT_DIR.
#
#   certs/generate.sh OUT_DIR [SERVICE] [NAMESPACE]
#
# Writes OUT_DIR/tls.crt and OUT_DIR/tls.key (the layout of a kubernetes.io/tls Secret) and OUT_DIR/ca.crt
# (for the webhook's caBundle), valid for SERVICE.NAMESPACE.svc and SERVICE.NAMESPACE.svc.cluster.local
# (defaults: egress-guard, egress-guard) and localhost. The CA (OUT_DIR/ca.crt, OUT_DIR/ca.key) is made on the
# first run and kept: later runs only renew the serving certificate, so the caBundle stays valid and rotation
# has no outage. NEW_CA=1 makes a new CA (then run certs/install.sh, which publishes old and new CA together).
# CERT_DAYS (365) and CA_DAYS (3650) set the lifetimes. Keep OUT_DIR/ca.key out of the cluster.
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
ca_days=${CA_DAYS:-3650}

command -v openssl >/dev/null || { echo "generate.sh: openssl is required" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ ${NEW_CA:-0} != 1 && -s $out/ca.crt && -s $out/ca.key ]] \
  && openssl x509 -in "$out/ca.crt" -noout -checkend $((days * 86400)) >/dev/null 2>&1; then
  cp "$out/ca.crt" "$work/ca.crt"
  cp "$out/ca.key" "$work/ca.key"
  ca_state="kept the CA"
else
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$ca_days" \
    -subj "/CN=egress-guard-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
  ca_state="made a new CA"
fi

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

# Write the files only once all succeeded: never a half-written key pair.
install -m 0600 "$work/ca.key" "$out/ca.key"
install -m 0644 "$work/ca.crt" "$out/ca.crt"
install -m 0644 "$work/tls.crt" "$out/tls.crt"
install -m 0600 "$work/tls.key" "$out/tls.key"
echo "wrote $out/ca.crt, $out/tls.crt, $out/tls.key for ${service}.${namespace}.svc ($ca_state, kept in $out/ca.key)"
