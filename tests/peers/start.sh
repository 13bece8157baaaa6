#!/usr/bin/env bash
# start.sh DIR: starts the local iExec peers for one test, each on a free 127.0.0.1 port:
#   anvil (chain 31337, PoCo 6.1.0 + DataProtector + test app and workerpool, loaded from the deployed-chain cache,
#   deploying first if the cache is missing), js-ipfs (offline, repo in DIR/ipfs), the SMS and market stand-ins.
# Writes DIR/peers.json, DIR/peers.env and DIR/protectedfs.toml, returns once every peer answers.
# If anything fails, stops what it started and exits non-zero. Stop with stop.sh DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/paths.sh"
source "$here/lib/chain-cache.sh"
source "$here/lib/peers.sh"

[[ $# -eq 1 ]] || { echo "usage: start.sh DIR" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
for name in "${PEER_NAMES[@]}"; do
  if peer_running "$dir" "$name"; then
    echo "start.sh: $name is already running in $dir (stop.sh $dir first)" >&2
    exit 1
  fi
done

"$here/install.sh"
ensure_chain_cache

trap '"$here/stop.sh" "$dir"' EXIT
trap 'exit 130' INT TERM   # so that an interrupted start (a test runner's timeout) still stops what it started
mapfile -t ports < <(node "$here/lib/free-ports.mjs" 6)
node "$here/lib/write-peers.mjs" "$dir" "$CHAIN_CACHE/deployment.json" anvil="${ports[0]}" ipfs_api="${ports[1]}" \
  ipfs_gateway="${ports[2]}" ipfs_rpc="${ports[3]}" sms="${ports[4]}" market="${ports[5]}"
load_peers_env "$dir"
rm -f "$dir/anvil-state.json"   # a new start is a new chain

# js-ipfs loads for seconds: launch it first, bring up the chain and the stand-ins (which need the chain) meanwhile.
launch_ipfs "$dir"
start_anvil "$dir"
start_sms "$dir"
start_market "$dir"
ready_ipfs "$dir"
trap - EXIT INT TERM
echo "peers ready in $dir: chain $PFS_RPC, ipfs $PFS_IPFS_API (gateway $PFS_IPFS_GATEWAY), sms $PFS_SMS, market $PFS_MARKET"
