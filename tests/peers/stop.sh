#!/usr/bin/env bash
# stop.sh DIR: stops every peer that start.sh DIR started (by the PIDs it recorded), chain last so that the
# stand-ins never see it vanish mid-request. Safe to call twice, or after a failed start.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/paths.sh"
source "$here/lib/chain-cache.sh"
source "$here/lib/peers.sh"

[[ $# -eq 1 ]] || { echo "usage: stop.sh DIR" >&2; exit 2; }
[[ -d $1 ]] || exit 0
dir=$(cd "$1" && pwd)
for name in market sms ipfs anvil; do
  peer_stop "$dir" "$name"
done
