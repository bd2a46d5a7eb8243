#!/usr/bin/env bash
# Builds the release archive of the kubectl plugin and launcher from a packaged application:
#
#   ci/release-archive.sh VERSION [OUT_DIR]
#
# Needs target/quarkus-app (./mvnw package). Writes OUT_DIR/egress-guard-VERSION.tar.gz (default OUT_DIR:
# target), holding egress-guard-VERSION/bin/egress-guard, bin/kubectl-egress_guard and quarkus-app/: the
# layout deploy/krew/egress-guard.yaml installs and bin/egress-guard looks for (quarkus-app/ beside bin/).
# Prints the archive's path and SHA-256 (for the krew manifest).
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  # The comment block at the top of this file, without the '#'.
  sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'
  [[ $# -ge 1 ]] && exit 0 || exit 2
fi
version=$1
out=${2:-target}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app=$root/target/quarkus-app
[[ -f $app/quarkus-run.jar ]] || { echo "release-archive.sh: $app is not built (run ./mvnw -B package first)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$work/egress-guard-$version
mkdir -p "$dir/bin"
cp "$root/bin/egress-guard" "$dir/bin/"
# The plugin is the same launcher under the name kubectl looks for (a link would not survive every unpacker).
cp "$root/bin/egress-guard" "$dir/bin/kubectl-egress_guard"
chmod 755 "$dir/bin/egress-guard" "$dir/bin/kubectl-egress_guard"
cp -R "$app" "$dir/quarkus-app"
mkdir -p "$out"
archive=$(cd "$out" && pwd)/egress-guard-$version.tar.gz
tar -C "$work" -czf "$archive" "egress-guard-$version"
sum=$(sha256sum "$archive" | cut -d' ' -f1)
echo "$archive"
echo "sha256 $sum"
