#!/usr/bin/env bash
# What a second look at the daemon found (issue 10): its state is private whatever the umask, the wallet password
# leaves its environment once read, a name can't forge log lines, and folders nest no deeper than a schema can.
source "$(dirname "$0")/lib.sh"

# A daemon in the background (as users run it: state and daemon.log under $XDG_DATA_HOME), started under umask 000.
(umask 000; "$bin" "$mnt" -o "$(network_option),wallet=$(wallet_file default),publish_delay=300,sync_interval=500") \
  || { echo "the daemon did not start"; exit 1; }
pid=$(pgrep -f -- "$bin $mnt -o" | head -1)
[[ -n "$pid" ]] && daemons[$mnt]=$pid
state=$(ls -d "$XDG_DATA_HOME"/protectedfs/mounts/*/)
log="$state/daemon.log"

# --- state modes ---------------------------------------------------------------------------------------------
mode() { stat -c %a "$1"; }
check "data folder 0700" test "$(mode "$XDG_DATA_HOME/protectedfs")" == 700
check "mounts folder 0700" test "$(mode "$XDG_DATA_HOME/protectedfs/mounts")" == 700
check "state folder 0700" test "$(mode "$state")" == 700
check "metadata 0700" test "$(mode "$state/metadata")" == 700
check "staging 0700" test "$(mode "$state/staging")" == 700
check "daemon.log 0600" test "$(mode "$log")" == 600
check "vault 0700" test "$(mode "$(ls -d "$XDG_DATA_HOME"/protectedfs/wallets/*/)")" == 700
[[ -z "$on_iexec" ]] && check "local network folder 0700" test "$(mode "$net")" == 700
check "nothing in the state open to others (RocksDB's files included)" \
  test -z "$(find "$XDG_DATA_HOME/protectedfs" -perm /077 -print -quit)"

# --- the password leaves the daemon's environment ---------------------------------------------------------------
check "daemon found" test -n "$pid"
check "no password in /proc/PID/environ" bash -c "! tr '\\0' '\\n' < /proc/$pid/environ | grep -q -e 'test password' -e PROTECTEDFS_PASSWORD"

# --- a name can't forge a log line ---------------------------------------------------------------------------------
forged=$'evil\n[2026-01-01 00:00:00.000] [protectedfs] [error] forged line'
refuses "a file at the root" "Operation not permitted" touch "$mnt/$forged"
check "the refusal is one escaped line" test "$(grep -c 'forged line' "$log")" == 1
check "no line starts with the forged text" bash -c "! grep -q '^\\[2026-01-01' '$log'"
check "the newline shows as \\x0a" grep -qF 'evil\x0a[2026-01-01' "$log"

# --- nesting: at most 64 levels, the protected data being the first -----------------------------------------------
mkdir "$mnt/deep"
path="$mnt/deep"; for _ in $(seq 2 64); do path+="/d"; done
check "63 folders in a protected data" mkdir -p "$path"
check "a field at level 64" bash -c "echo leaf > '$path/leaf.txt'"
refuses "a 65th level" "Invalid argument" mkdir "$path/d"
check "the refusal is logged once" test "$(grep -c 'levels deep' "$log")" == 1
wait_published "$mnt/deep" 60; check "the deepest tree publishes" test $? -eq 0

fusermount3 -u "$mnt"; unset "daemons[$mnt]"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # the daemon exits on unmount
check "the daemon exited after the unmount" bash -c "! kill -0 $pid 2>/dev/null"
finish
