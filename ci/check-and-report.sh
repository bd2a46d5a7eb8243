#!/usr/bin/env bash
# Runs `egress-guard check` the way CI jobs need it: the findings as text in the job log, and the same
# findings as report files for the CI system (SARIF for GitHub code scanning, Code Quality for GitLab).
# Used by the GitHub Action (action.yml) and the GitLab CI template (ci/gitlab/); configured by variables:
#
#   EGRESS_GUARD_CHECK_PATHS           files or directories, separated by white space (required)
#   EGRESS_GUARD_CHECK_FAIL_ON         error (default) or warning
#   EGRESS_GUARD_CHECK_SEVERITY        overrides CODE=deny|warn|info|off, separated by commas or white space
#   EGRESS_GUARD_CHECK_ROOT_NAMESPACE  Istio's root namespace (default istio-system)
#   EGRESS_GUARD_CHECK_NAMESPACE       namespace of objects that name none (default default)
#   EGRESS_GUARD_CHECK_SARIF           write a SARIF 2.1.0 report to this file (optional)
#   EGRESS_GUARD_CHECK_CODEQUALITY     write a GitLab Code Quality report to this file (optional)
#
# Exit status: that of check (0 no error-level finding, 1 findings at or above the fail-on level, 2 input or
# usage error). Report files are written only when the files could be checked (status 0 or 1) and the report
# run agreed and wrote something: never an empty or half-written file.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
launcher="$here/../bin/egress-guard"

read -r -a paths <<<"$(echo ${EGRESS_GUARD_CHECK_PATHS:-})"
if ((${#paths[@]} == 0)); then
  echo "egress-guard: no paths to check: set EGRESS_GUARD_CHECK_PATHS (the action's 'paths' input)" >&2
  exit 2
fi
for p in "${paths[@]}"; do
  if [ "$p" = "-" ]; then
    # Every report is a separate run over the same files, and standard input can be read only once.
    echo "egress-guard: '-' (standard input) cannot be checked here: give files or directories" >&2
    exit 2
  fi
done

args=(--fail-on "${EGRESS_GUARD_CHECK_FAIL_ON:-error}"
  --root-namespace "${EGRESS_GUARD_CHECK_ROOT_NAMESPACE:-istio-system}"
  --namespace "${EGRESS_GUARD_CHECK_NAMESPACE:-default}")
severities=${EGRESS_GUARD_CHECK_SEVERITY:-}
for override in ${severities//,/ }; do
  args+=(--severity "$override")
done

"$launcher" check "${args[@]}" -o text -- "${paths[@]}"
status=$?

# Writes one report: the same check with another output format, into FILE only if it ran as the text one did.
report() {
  local format=$1 file=$2 tmp
  [ -n "$file" ] || return 0
  mkdir -p "$(dirname "$file")"
  tmp="$file.partial"
  "$launcher" check "${args[@]}" -o "$format" -- "${paths[@]}" >"$tmp"
  local rc=$?
  if [ "$rc" -ne "$status" ] || [ ! -s "$tmp" ]; then
    rm -f "$tmp"
    echo "egress-guard: the $format report failed (exit $rc), no report written" >&2
    status=2
    return 0
  fi
  mv "$tmp" "$file"
  echo "egress-guard: $format report written to $file" >&2
}

if [ "$status" -le 1 ]; then
  report sarif "${EGRESS_GUARD_CHECK_SARIF:-}"
  report codequality "${EGRESS_GUARD_CHECK_CODEQUALITY:-}"
fi
exit "$status"
