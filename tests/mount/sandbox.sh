#!/usr/bin/env bash
# The local worker runs iApps isolated (issue 11 §4): hostile apps granted by an owner, run by a consumer. One
# connects to a listener on 127.0.0.1 (and one has a child process do it), one writes outside IEXEC_OUT, one reads
# the owner's $XDG_DATA_HOME/protectedfs, one the network's folder, one forks without end, one allocates 4 GiB, one
# never ends, one spins the CPU, one writes past the output limit: each fails its task (`run` exits 1 and the
# runner names the violation: the address, the path, or the limit), nothing leaks, every access stays counted, the
# daemon keeps serving; an honest app then runs and its result is delivered, having seen iExec's folders, an
# unprivileged user and no network, and made a network socket and a name lookup without being failed for it.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only (the local worker's isolation)"
  exit 0
fi
pfs() { TMPDIR="$work/tmp" "$bin" "$@" --network "local:$net"; }  # the runner's working folders in $work/tmp
mkdir "$work/tmp"
started=$SECONDS

a="$work/owner"
mount_at "$a" "wallet=$work/owner.json,cache=$work/cache-a"
"$bin" wallet create --wallet "$work/consumer.json" > /dev/null
consumer=$("$bin" wallet show --wallet "$work/consumer.json" | sed -n 's/^address //p')
mkdir "$a/medical"
printf 'alice@example.com\n' > "$a/medical/email.txt"
"$bin" sync "$a" > /dev/null
dataset=$(attr address "$a/medical")
check "published" test -n "$dataset"

runs=0
# app NAME: registers $work/apps/NAME and grants it to the consumer; prints its address.
app() {
  local address
  chmod +x "$work/apps/$1"
  address=$(pfs app register "$work/apps/$1" --name "$1" --wallet "$work/owner.json" | grep -oE '0x[0-9a-fA-F]{40}' | head -1)
  setfattr -n "user.protected.grant.$consumer.$address" -v "count=5" "$a/medical"
  echo "$address"
}
# fails WHAT "phrase" APP [run options]: exit 1 and the phrase on stderr (the runner's line or the app's own).
fails() {
  local what=$1 phrase=$2 address=$3; shift 3
  local err; err=$(pfs run "$dataset" --app "$address" --out "$work/out-$what" --wallet "$work/consumer.json" "$@" 2>&1 >/dev/null)
  local rc=$?
  runs=$((runs + 1))
  if [[ $rc -ne 1 ]]; then fail "$what: exit $rc (want 1): $err"; return; fi
  if [[ "$err" != *"$phrase"* ]]; then fail "$what: '$err' does not say '$phrase'"; return; fi
  if [[ -e "$work/out-$what" ]]; then fail "$what: a result was delivered"; return; fi
  echo "$what: ${err##*$'\n'}"  # the runner's line, in the test's log
  ok
}
mkdir "$work/apps"

# --- the network: a listener on 127.0.0.1 that records any connection -------------------------------------------
cat > "$work/listener.py" <<'PY'
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conn, _ = s.accept()
open(sys.argv[2], "w").write("connected")
PY
python3 "$work/listener.py" "$work/port" "$work/connected" &
listener=$!
wait_for 10 test -s "$work/port" || fail "the listener did not start"
port=$(cat "$work/port")
cat > "$work/apps/net" <<'PY'
#!/usr/bin/python3
import os, socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).sendall(b"leak")
open(os.path.join(os.environ["IEXEC_OUT"], "computed.json"), "w").write("{}")
PY
# The same from a child process: a shell that starts Python.
cat > "$work/apps/netchild" <<'SH'
#!/bin/sh
python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)' "$1"
echo "the child's connection was refused: $?" >&2
echo '{}' > "$IEXEC_OUT/computed.json"
SH
cat > "$work/apps/write" <<'SH'
#!/bin/sh
# Succeeds (and so fails the test) if any write outside IEXEC_OUT works.
for f in "$1/outside.txt" /usr/pwned /etc/pwned /pwned "$IEXEC_IN/pwned" "$HOME/pwned" /dev/shm/pwned; do
  if ( echo pwned > "$f" ) 2>/dev/null; then echo "wrote $f" >&2; echo '{}' > "$IEXEC_OUT/computed.json"; exit 0; fi
done
echo "no write outside IEXEC_OUT was allowed" >&2
exit 2
SH
cat > "$work/apps/read" <<'SH'
#!/bin/sh
# Prints whatever of the owner's data or the network's secrets it can reach; fails if it reaches nothing.
found=0
cat "$1"/protectedfs/* "$2"/secrets/* 2>/dev/null && found=1
for d in "$1" "$2" /root /home; do
  if [ -n "$(ls -A "$d" 2>/dev/null)" ]; then echo "can list $d" >&2; found=1; fi
done
[ $found = 1 ] && { echo '{}' > "$IEXEC_OUT/computed.json"; exit 0; }
ls "$1" >&2
exit 3
SH
# A fork bomb that never gives up (a shell's would exit at the first failed fork).
printf '#!/usr/bin/python3\nimport os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n' > "$work/apps/bomb"
printf '#!/usr/bin/python3\nb = bytearray(4 << 30)\nb[-1] = 1\n' > "$work/apps/alloc"
printf '#!/bin/sh\nwhile :; do sleep 1; done\n' > "$work/apps/forever"
printf '#!/bin/sh\nwhile :; do :; done\n' > "$work/apps/spin"
printf '#!/bin/sh\nhead -c 3000000 /dev/zero > "$IEXEC_OUT/big"\necho "{}" > "$IEXEC_OUT/computed.json"\n' > "$work/apps/big"
printf '#!/bin/sh\nfor i in 1 2 3 4; do head -c 600000 /dev/zero > "$IEXEC_OUT/part$i"; done\necho "{}" > "$IEXEC_OUT/computed.json"\n' > "$work/apps/parts"
cat > "$work/apps/honest" <<'SH'
#!/bin/sh
set -e
out="$IEXEC_OUT/report.txt"
{
  echo "uid=$(id -u)"
  echo "dataset=$(test -r "$IEXEC_IN/$IEXEC_DATASET_FILENAME" && echo readable)"
  echo "in=$(awk -v d="$IEXEC_IN" '$5 == d { split($6, o, ","); print o[1] }' /proc/self/mountinfo)"  # no write tried
  echo "tmp=$( (echo x > /tmp/x && cat /tmp/x) || echo no)"
  echo "interfaces=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | tr '\n' ' ')"
  echo "processes=$(ls /proc | grep "^[0-9]" | tr "\n" " ")"
  echo "args=$*"
  echo "socket=$(python3 -c 'import socket; socket.socket(socket.AF_INET).close(); print("made")')"
  echo "lookup=$( (getent hosts example.com > /dev/null && echo resolved) || echo failed)"
} > "$out"
echo '{"deterministic-output-path": "'"$out"'"}' > "$IEXEC_OUT/computed.json"
SH
# Every app registered and granted at once (5 accesses each), then one sync.
for name in net netchild write read bomb alloc forever spin big parts honest; do declare "${name}_app=$(app $name)"; done
"$bin" sync "$a" > /dev/null

# --- the network ---------------------------------------------------------------------------------------------------
fails net "the iApp tried to connect to 127.0.0.1:$port, but apps have no network" "$net_app" --args "$port"
fails netchild "the iApp tried to connect to 127.0.0.1:$port, but apps have no network" "$netchild_app" --args "$port"
check "the listener saw no connection" test ! -e "$work/connected"
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null

# --- files: writes outside IEXEC_OUT, reads of the owner's data ----------------------------------------------------
# ($work/outside.txt is in the sandbox's own /tmp, where $work does not exist: the kernel refuses it, unnamed)
fails write "the iApp tried to write \"/usr/pwned\" outside IEXEC_OUT" "$write_app" --args "$work"
check "nothing written on the host" bash -c "! ls '$work/outside.txt' /usr/pwned /etc/pwned /pwned 2>/dev/null"
# (the path named is the first the app looked up: the folder its shell lists to expand the *)
fails read "the iApp tried to read \"$XDG_DATA_HOME/protectedfs\" in the host's protectedfs state, which apps may not see" \
  "$read_app" --args "$XDG_DATA_HOME $net"
fails secrets "the iApp tried to read \"$net/secrets\" in the local network's folder, which apps may not see" \
  "$read_app" --args "/nowhere $net"
check "the owner's data is there on the host" test -n "$(ls -A "$XDG_DATA_HOME/protectedfs")"

# --- limits ----------------------------------------------------------------------------------------------------
t=$SECONDS
fails bomb "reached its limit of 32 processes and threads" "$bomb_app" --processes 32 --timeout 30
check "the fork bomb was stopped at once (not by the wall time)" test $((SECONDS - t)) -lt 15
left() { ! pgrep -f "^[^ ]* /iexec_app" > /dev/null; }  # no process of an app is left (the app is /iexec_app inside)
check "no process of the bomb left" left
# As root the limit is a memory cgroup's and the kernel's OOM kill is named; else RLIMIT_DATA makes the allocation
# fail in the app, and the runner can only say it may be the cause.
if [[ $(id -u) -eq 0 ]]; then
  fails alloc "the iApp exceeded its memory limit of 256 MiB and was stopped" "$alloc_app" --memory 256
else
  fails alloc "exited with status 1; it may have hit its memory limit of 256 MiB" "$alloc_app" --memory 256
fi
cgroup="/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)"  # where `run` makes the app's
check "no memory cgroup left" bash -c "! ls -d '$cgroup'/protectedfs-* 2>/dev/null"
t=$SECONDS
fails forever "ran past its wall-time limit of 2 s" "$forever_app" --timeout 2
check "stopped after 2 s" test $((SECONDS - t)) -lt 10
check "nothing of it left" left
fails spin "used more than its CPU-time limit of 1 s" "$spin_app" --cpu-time 1
fails big "wrote more than its output limit of 1 MiB" "$big_app" --output-size 1
fails parts "wrote more than its output limit of 1 MiB" "$parts_app" --output-size 1

# --- the daemon, the host and the accounting are unaffected -------------------------------------------------------
check "the mount still serves" test "$(cat "$a/medical/email.txt")" == alice@example.com
check "the daemon is alive" kill -0 "${daemons[$a]}"
consumed() { getfattr --absolute-names --only-values -n user.protected.usage "$a/medical" | python3 -c "import json,sys; print(json.load(sys.stdin)['total']['consumed'])"; }
consumed_is() { [[ "$(consumed)" == "$1" ]]; }
check "every failed task's access stays consumed ($runs)" wait_for 10 consumed_is "$runs"

# --- an honest app still runs, and sees what it should -----------------------------------------------------------
check "the honest app runs" pfs run "$dataset" --app "$honest_app" --args "a b" --out "$work/result" --wallet "$work/consumer.json"
report=$(cat "$work/result/report.txt" 2>/dev/null)
check "its result is delivered" test -n "$report"
check "it ran as uid 1000" grep -qx "uid=1000" <<<"$report"
check "it read its dataset" grep -qx "dataset=readable" <<<"$report"
check "IEXEC_IN is read-only" grep -qx "in=ro" <<<"$report"
check "/tmp is writable" grep -qx "tmp=x" <<<"$report"
processes=$(sed -n 's/^processes=//p' <<<"$report")
check "it saw only its own processes ($processes)" test "$(wc -w <<<"$processes")" -le 8 -a "${processes%% *}" == 1
check "its arguments" grep -qx "args=a b" <<<"$report"
check "it made a network socket" grep -qx "socket=made" <<<"$report"
check "its name lookup failed, the run did not" grep -qx "lookup=failed" <<<"$report"
check "no network interface but lo" grep -qx "interfaces=lo " <<<"$report"
check "no plaintext left behind" test -z "$(ls -A "$work/tmp")"
check "the suite stays fast" test $((SECONDS - started)) -lt 60
finish
