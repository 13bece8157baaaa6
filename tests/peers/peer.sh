#!/usr/bin/env bash
# peer.sh DIR start|stop|restart|kill NAME: controls one peer of a running set (NAME: anvil, ipfs, sms, market), on
# the same port, for the fault tests. stop = SIGTERM (anvil dumps its state into DIR/anvil-state.json and the next
# start loads it, so the chain keeps every block and log; js-ipfs keeps its repo; the stand-ins keep their state
# files); kill = SIGKILL, a crash (anvil then restarts from its last dump: only blocks mined before the last
# clean stop survive).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/paths.sh"
source "$here/lib/chain-cache.sh"
source "$here/lib/peers.sh"

[[ $# -eq 3 ]] || { echo "usage: peer.sh DIR start|stop|restart|kill anvil|ipfs|sms|market" >&2; exit 2; }
dir=$(cd "$1" && pwd)
action=$2 name=$3
[[ " ${PEER_NAMES[*]} " == *" $name "* ]] || { echo "peer.sh: unknown peer $name" >&2; exit 2; }
load_peers_env "$dir"
CHAIN_CACHE=$PEERS_CACHE/chain-$(deployment_key)
case $action in
  start) peer_start "$dir" "$name" ;;
  stop) peer_stop "$dir" "$name" ;;
  kill) peer_stop "$dir" "$name" KILL ;;
  restart) peer_stop "$dir" "$name"; peer_start "$dir" "$name" ;;
  *) echo "peer.sh: unknown action $action" >&2; exit 2 ;;
esac
