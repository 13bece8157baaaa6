# shellcheck shell=bash disable=SC2034
# Sourced after lib/paths.sh. ensure_chain_cache sets CHAIN_CACHE to a directory holding state.json (an anvil
# --dump-state of the chain with PoCo, the DataProtector, the test app and workerpool deployed) and
# deployment.json (their addresses and the accounts), deploying once per deployment_key; concurrent callers wait
# for the first one (flock) instead of deploying twice.

ensure_chain_cache() {
  CHAIN_CACHE=$PEERS_CACHE/chain-$(deployment_key)
  [[ -f $CHAIN_CACHE/state.json && -f $CHAIN_CACHE/deployment.json ]] && return 0
  mkdir -p "$PEERS_CACHE"
  (
    exec 8>"$PEERS_CACHE/deploy.lock"
    flock 8
    [[ -f $CHAIN_CACHE/state.json && -f $CHAIN_CACHE/deployment.json ]] && exit 0
    local work port anvil_pid status=0
    work=$(mktemp -d "$PEERS_CACHE/deploying.XXXXXX")
    port=$(node "$PEERS_HOME/lib/free-ports.mjs" 1)
    "$ANVIL" --host 127.0.0.1 --port "$port" --chain-id 31337 --silent --dump-state "$work/state.json" \
      </dev/null >"$work/anvil.log" 2>&1 &
    anvil_pid=$!
    # The subshell's own exit path: never leave this anvil behind, whatever fails below.
    trap 'kill "$anvil_pid" 2>/dev/null; wait "$anvil_pid" 2>/dev/null; rm -rf "$work"' EXIT
    wait_rpc "http://127.0.0.1:$port" 30
    node "$PEERS_HOME/deploy.mjs" --rpc "http://127.0.0.1:$port" --poco "$POCO_DIR" --out "$work/deployment.json" \
      || status=$?
    kill -TERM "$anvil_pid"          # anvil writes --dump-state on exit
    wait "$anvil_pid" || true
    trap 'rm -rf "$work"' EXIT
    if (( status != 0 )) || [[ ! -s $work/state.json ]]; then
      echo "peers: deploying the local chain failed (see above)" >&2
      exit 1
    fi
    rm -f "$work/anvil.log"
    rm -rf "$CHAIN_CACHE"
    mv "$work" "$CHAIN_CACHE"       # atomic: readers see no cache or a complete one
    trap - EXIT
  )
}

# wait_rpc URL SECONDS: until the JSON-RPC endpoint answers eth_chainId.
wait_rpc() {
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1"; do
    if (( SECONDS >= deadline )); then echo "peers: no JSON-RPC answer from $1 after $2 s" >&2; return 1; fi
    sleep 0.05
  done
}
