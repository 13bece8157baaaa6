# Shared by the mount tests: a private state directory, daemons in the foreground (background jobs), and a trap
# that unmounts and kills whatever is left, even when a test fails.
#
# One suite, two networks: by default the embedded local network (in $net); with PFS_PEERS_ENV naming the
# peers.env of running local iExec peers (tests/peers, CTest's peers_up fixture), the real chain, IPFS node, SMS
# and market through the iExec profile "peers". Tests say `$(network_option)` and `wallet=$(wallet_file NAME)`;
# on the peers every wallet is a fresh key funded on the chain, so tests running at once never share an owner.
set -uo pipefail
export LC_ALL=C  # the checks compare error texts (strerror, tools' messages) in English
bin=$(realpath "$1")
work=$(mktemp -d /tmp/pfs-mount-test.XXXXXX)
trap 'rm -rf "$work"' EXIT  # until the full cleanup below is in place
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD="test password"
mnt="$work/mnt"
net="$work/network"
mkdir -p "$mnt" "$XDG_DATA_HOME"
on_iexec=""
use_peers() {  # PEERS_ENV: run on the iExec profile "peers" of these running peers
  set -a; source "$1"; set +a
  on_iexec=1
  export XDG_CONFIG_HOME="$work/config"
  mkdir -p "$XDG_CONFIG_HOME/protectedfs"
  # No worker runs on the test chain: `run` returns once the orders are matched (task_timeout 0).
  { cat "$PFS_PEERS_DIR/protectedfs.toml"; echo "task_timeout = 0"; } > "$XDG_CONFIG_HOME/protectedfs/config.toml"
}
[[ -n "${PFS_PEERS_ENV:-}" ]] && use_peers "$PFS_PEERS_ENV"
private_peers=""
start_private_peers() {  # peers of this test's own (fault tests stop and start them), stopped by the cleanup
  private_peers="$work/peers"
  "$(dirname "${BASH_SOURCE[0]}")/../peers/start.sh" "$private_peers" > /dev/null || { echo "the peers did not start"; exit 1; }
  use_peers "$private_peers/peers.env"
}
peer() { "$(dirname "${BASH_SOURCE[0]}")/../peers/peer.sh" "$private_peers" "$@" > /dev/null; }  # start|stop|kill NAME
network_option() { if [[ -n "$on_iexec" ]]; then echo "network=peers"; else echo "network=local:$net"; fi; }
network_name() { if [[ -n "$on_iexec" ]]; then echo "peers"; else echo "local:$net"; fi; }
wallet_file() {  # NAME: the path of wallet NAME (created on first use; on the peers: a new funded key)
  local file="$work/wallets/$1.json"
  if [[ ! -f "$file" && -n "$on_iexec" ]]; then
    mkdir -p "$work/wallets"
    openssl rand -hex 32 > "$work/wallets/$1.key"
    local address; address=$("$bin" wallet import "$work/wallets/$1.key" --wallet "$file" | awk '/^address/{print $2}')
    rm -f "$work/wallets/$1.key"
    curl -sf -X POST -H 'Content-Type: application/json' "$PFS_RPC" \
      --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_setBalance\",\"params\":[\"$address\",\"0x56BC75E2D63100000\"]}" > /dev/null
  fi
  echo "$file"
}
# A second local uid, for the multi-user checks under allow_other (its mount point must be reachable: chmod 0711).
other=65534
as_other() { setpriv --reuid=$other --regid=$other --clear-groups "$@"; }
registrations() {  # OWNER NAME: how many datasets the network holds of this owner with this name
  "$bin" find --owner "$1" --json --network "$(network_name)" |
    python3 -c "import json,sys; print(sum(1 for d in json.load(sys.stdin) if d['name'] == sys.argv[1]))" "$2"
}
declare -A daemons=()   # mount point -> daemon pid
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() {  # with the daemons' last complaints, so that a failure in CI says why
  failed=$((failed + 1)); echo "FAIL: $*"
  grep -hE "warn|error" "$work/daemon.log" 2>/dev/null | tail -4 | sed 's/^/  daemon: /'
}
check() { local what=$1; shift; if "$@"; then ok; else fail "$what"; fi; }

cleanup() {
  for m in "${!daemons[@]}" "$mnt"; do
    if mountpoint -q "$m" 2>/dev/null; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; fi
  done
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [[ -n "$private_peers" ]] && "$(dirname "${BASH_SOURCE[0]}")/../peers/stop.sh" "$private_peers" > /dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

mount_at() {  # MOUNTPOINT [extra -o options]: a daemon in the foreground, as a background job
  local m=$1
  mkdir -p "$m"
  local options="publish_delay=${DELAY_MS:-300},sync_interval=${SYNC_MS:-500}"
  [[ "${2:-}" == *network=* ]] || options+=",$(network_option)"
  [[ "${2:-}" == *wallet=* ]] || options+=",wallet=$(wallet_file default)"
  "$bin" "$m" -f -o "$options${2:+,$2}" >>"$work/daemon.log" 2>&1 &
  daemons[$m]=$!
  for _ in $(seq 100); do mountpoint -q "$m" && return 0; kill -0 "${daemons[$m]}" 2>/dev/null || break; sleep 0.1; done
  echo "daemon did not mount $m:"; cat "$work/daemon.log"; exit 1
}
unmount_at() {
  fusermount3 -u "$1"
  wait "${daemons[$1]}" 2>/dev/null
  unset "daemons[$1]"
}
kill_at() {  # a crash: no unmount, no cleanup by the daemon
  kill -9 "${daemons[$1]}"; wait "${daemons[$1]}" 2>/dev/null; unset "daemons[$1]"
  fusermount3 -u "$1" 2>/dev/null || umount -l "$1"
}
start_daemon() { mount_at "$mnt" "${1:-}"; }
stop_daemon() { unmount_at "$mnt"; }
kill_daemon() { kill_at "$mnt"; }
wait_published() {  # DIR [timeout s]: until user.protected.status is "published"
  local status
  for _ in $(seq $((${2:-30} * 10))); do
    status=$(getfattr --absolute-names --only-values -n user.protected.status "$1" 2>/dev/null)
    [[ "$status" == published ]] && return 0
    sleep 0.1
  done
  echo "status of $1 stayed '$status'"; return 1
}
# errno_of CMD...: runs it, prints the errno name from its message (e.g. EXDEV) as seen through strerror text
refuses() {  # refuses WHAT "strerror text" CMD...
  local what=$1 text=$2; shift 2
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [[ $rc -ne 0 && "$err" == *"$text"* ]]; then ok; else fail "$what: rc=$rc '$err' (want '$text')"; fi
}
finish() {  # a sanitizer's report from a daemon (ASan, LSan, UBSan, TSan builds) fails the test too
  local reports; reports=$(grep -E "(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error:" "$work/daemon.log" 2>/dev/null)
  if [[ -n "$reports" ]]; then fail "the daemon's sanitizer reported:"; grep -A12 -E "(ERROR|WARNING): |runtime error:" "$work/daemon.log" | head -60; fi
  echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]]
}
attr() { getfattr --absolute-names --only-values -n "user.protected.$1" "$2" 2>/dev/null; }  # NAME PATH
wait_for() {  # SECONDS CMD...: until CMD succeeds
  local seconds=$1; shift
  for _ in $(seq $((seconds * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
medical_folder() {  # a folder of mixed fields (text, PDF, binary, PNG, nested) in $work/medical; prints its path
  local src="$work/medical"
  mkdir -p "$src/scans"
  printf 'alice@example.com\n' > "$src/email.txt"
  printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n' > "$src/report.pdf"
  head -c 300000 /dev/urandom > "$src/scans/raw.bin"
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' > "$src/scans/chest.png"
  echo "$src"
}
