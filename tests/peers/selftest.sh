#!/usr/bin/env bash
# selftest.sh: starts the local peers in a temporary directory, runs selftest.mjs against them (one PASS/FAIL line
# per check), and always stops them and removes the directory, whatever happens. Exit status: selftest.mjs's.
# PFS_PEERS_KEEP=1 keeps the directory (logs, state) for a post-mortem.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/pfs-peers-selftest.XXXXXX)
cleanup() {
  local status=$?
  "$here/stop.sh" "$dir"
  if (( status != 0 )); then
    for log in "$dir"/logs/*.log; do
      [[ -f $log ]] && { echo "--- last lines of $log"; tail -n 15 "$log"; }
    done
  fi
  if [[ ${PFS_PEERS_KEEP:-} == 1 ]]; then echo "selftest: peers directory kept: $dir"; else rm -rf "$dir"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$SECONDS
"$here/start.sh" "$dir"
echo "selftest: peers started in $((SECONDS - started)) s"
node "$here/selftest.mjs" "$dir/peers.json"
