# shellcheck shell=bash disable=SC2034
# Sourced after lib/paths.sh and lib/chain-cache.sh: how to start, probe and stop each peer of a peers directory
# DIR (its ports come from DIR/peers.env). Every peer runs detached from the caller's terminal and output
# (logs in DIR/logs/NAME.log, so a test runner waiting on its pipes never waits for a peer), and its PID is kept in
# DIR/pids/NAME.pid: stopping kills exactly the processes that were started, never by name.

PEER_NAMES=(anvil ipfs sms market)
PEER_READY_TIMEOUT=${PFS_PEER_READY_TIMEOUT:-60}

load_peers_env() {
  set -a
  # shellcheck disable=SC1091
  . "$1/peers.env"
  set +a
}

peer_pid() { cat "$1/pids/$2.pid" 2>/dev/null; }

# pid_alive DIR PID: PID runs (a zombie left by a peer that died under this very shell does not count) and is
# one of DIR's peers: its command line or environment names DIR (js-ipfs renames itself "ipfs", but its
# IPFS_PATH is in DIR), so a PID recycled by an unrelated process is never signalled.
pid_alive() {
  local dir=$1 pid=$2 stat
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ $stat != Z* ]] || return 1
  grep -qaF -- "$dir/" "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null
}

peer_running() {
  local pid
  pid=$(peer_pid "$1" "$2")
  [[ -n $pid ]] && pid_alive "$1" "$pid"
}

# spawn DIR NAME CMD...: start CMD in the background, log to DIR/logs/NAME.log, remember its PID.
spawn() {
  local dir=$1 name=$2
  shift 2
  mkdir -p "$dir/logs" "$dir/pids"
  "$@" </dev/null >>"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

# wait_http NAME URL [METHOD]: until URL answers any HTTP status, or the peer died, or the timeout.
wait_http() {
  local dir=$1 name=$2 url=$3 method=${4:-GET} deadline=$((SECONDS + PEER_READY_TIMEOUT)) code
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" "$url" || true)
    [[ $code != 000 ]] && return 0
    if ! peer_running "$dir" "$name"; then
      echo "peers: $name exited during start-up; last lines of $dir/logs/$name.log:" >&2
      tail -n 20 "$dir/logs/$name.log" >&2
      return 1
    fi
    if (( SECONDS >= deadline )); then
      echo "peers: $name not answering at $url after $PEER_READY_TIMEOUT s" >&2
      return 1
    fi
    sleep 0.05
  done
}

# The chain keeps its state across stop/start: anvil loads DIR/anvil-state.json (first a copy of the deployed
# chain) and dumps into it on SIGTERM.
start_anvil() {
  local dir=$1
  [[ -f $dir/anvil-state.json ]] || cp "$CHAIN_CACHE/state.json" "$dir/anvil-state.json"
  spawn "$dir" anvil "$ANVIL" --host 127.0.0.1 --port "$PFS_PORT_ANVIL" --chain-id "$PFS_CHAIN_ID" \
    --state "$dir/anvil-state.json"
  wait_http "$dir" anvil "$PFS_RPC" POST && wait_rpc "$PFS_RPC" "$PEER_READY_TIMEOUT"
}

# js-ipfs (Kubo-compatible RPC API and gateway), offline: no swarm addresses, no bootstrap peers, no MDNS, or it
# hangs dialling out. The repo is copied from a template initialised once (jsipfs init costs ~4 s), then its
# config gets this DIR's ports. Launching and waiting are separate so that start.sh can bring the chain up while
# js-ipfs loads (it dominates start-up) without a background subshell that could outlive a failed start.
launch_ipfs() {
  local dir=$1 repo=$1/ipfs
  if [[ ! -d $repo ]]; then
    ensure_ipfs_template
    cp -a "$IPFS_TEMPLATE" "$repo"
  fi
  # A crashed daemon (kill -9 in a fault test) leaves its lock behind; the PID file says it is gone.
  rm -rf "$repo/repo.lock"
  node "$PEERS_HOME/lib/ipfs-config.mjs" "$repo/config" "$PFS_PORT_IPFS_API" "$PFS_PORT_IPFS_GATEWAY" "$PFS_PORT_IPFS_RPC"
  IPFS_PATH=$repo NODE_OPTIONS="--require $PEERS_HOME/lib/promise-with-resolvers.cjs" \
    spawn "$dir" ipfs node "$JSIPFS" daemon --offline
}

ready_ipfs() {
  wait_http "$1" ipfs "$PFS_IPFS_API/api/v0/version" POST && wait_http "$1" ipfs "$PFS_IPFS_GATEWAY/"
}

start_ipfs() { launch_ipfs "$1" && ready_ipfs "$1"; }

ensure_ipfs_template() {
  IPFS_TEMPLATE=$PEERS_CACHE/ipfs-repo-$(sha256sum "$PEERS_HOME/package-lock.json" | cut -c1-16)
  [[ -f $IPFS_TEMPLATE/config ]] && return 0
  (
    exec 7>"$PEERS_CACHE/ipfs-template.lock"
    flock 7
    [[ -f $IPFS_TEMPLATE/config ]] && exit 0
    local work
    work=$(mktemp -d "$PEERS_CACHE/ipfs-repo.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    IPFS_PATH=$work/repo node "$JSIPFS" init --emptyRepo >"$work/init.log" 2>&1 \
      || { cat "$work/init.log" >&2; exit 1; }
    mv "$work/repo" "$IPFS_TEMPLATE"
  )
}

start_sms() {
  local dir=$1
  spawn "$dir" sms node "$PEERS_HOME/sms.mjs" --port "$PFS_PORT_SMS" --rpc "$PFS_RPC" --chain-id "$PFS_CHAIN_ID" \
    --state "$dir/sms-secrets.json"
  wait_http "$dir" sms "$PFS_SMS/up"
}

start_market() {
  local dir=$1
  spawn "$dir" market node "$PEERS_HOME/market.mjs" --port "$PFS_PORT_MARKET" --rpc "$PFS_RPC" \
    --chain-id "$PFS_CHAIN_ID" --hub "$PFS_HUB" --state "$dir/market-orders.json"
  wait_http "$dir" market "$PFS_MARKET/version"
}

# peer_start DIR NAME: no-op when already running.
peer_start() {
  local dir=$1 name=$2
  peer_running "$dir" "$name" && return 0
  "start_$name" "$dir"
}

# peer_stop DIR NAME [SIGNAL]: SIGTERM lets anvil dump its state and js-ipfs release its repo; whatever is still
# alive after 20 s gets SIGKILL. SIGNAL=KILL simulates a crash.
peer_stop() {
  local dir=$1 name=$2 signal=${3:-TERM} pid deadline
  pid=$(peer_pid "$dir" "$name")
  [[ -z $pid ]] && return 0
  if pid_alive "$dir" "$pid"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 20))
    while pid_alive "$dir" "$pid" && (( SECONDS < deadline )); do sleep 0.05; done
    if pid_alive "$dir" "$pid"; then
      echo "peers: $name (pid $pid) ignored SIG$signal for 20 s, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      while pid_alive "$dir" "$pid"; do sleep 0.05; done
    fi
  fi
  rm -f "$dir/pids/$name.pid"
}
