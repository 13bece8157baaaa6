# Shared by the mount tests: a private state directory, a daemon in the foreground (background job), and a trap
# that unmounts and kills whatever is left, even when a test fails.
set -uo pipefail
bin=$(realpath "$1")
work=$(mktemp -d /tmp/pfs-mount-test.XXXXXX)
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD="test password"
mnt="$work/mnt"
mkdir -p "$mnt" "$XDG_DATA_HOME"
daemon_pid=""
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else fail "$what"; fi; }

cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; fi
  [[ -n "$daemon_pid" ]] && kill -9 "$daemon_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

start_daemon() {  # extra -o options as $1
  "$bin" "$mnt" -f -o "publish_delay=${DELAY_MS:-300}${1:+,$1}" >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do mountpoint -q "$mnt" && return 0; kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  echo "daemon did not mount:"; cat "$work/daemon.log"; exit 1
}
stop_daemon() {
  fusermount3 -u "$mnt"
  wait "$daemon_pid" 2>/dev/null
  daemon_pid=""
}
kill_daemon() {  # a crash: no unmount, no cleanup by the daemon
  kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=""
  fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
}
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
finish() { echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]]; }
