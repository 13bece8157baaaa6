#!/usr/bin/env bash
# Network faults never lose data (issue 5): with its own set of local iExec peers, the IPFS node and then the chain
# are stopped while a change is being published; the status says why and when it retries, a daemon restarted
# meanwhile resumes, and once the peer is back the publish completes, registered exactly once.
source "$(dirname "$0")/lib.sh"
[[ -n "${PFS_PEERS_ENV:-}" ]] || { echo "iExec profile only (PFS_PEERS_ENV)"; exit 0; }
start_private_peers
DELAY_MS=200 start_daemon
owner=$(attr wallet "$mnt")
failed_status() { [[ "$(attr status "$1")" == failed:*"retry in"* ]]; }

# --- IPFS down ----------------------------------------------------------------------------------------------------
mkdir -p "$mnt/notes"
peer stop ipfs
head -c 3000000 /dev/urandom > "$work/scan.bin"
cp "$work/scan.bin" "$mnt/notes/"
printf 'first\n' > "$mnt/notes/text.txt"
check "IPFS down: the status says it failed and when it retries" wait_for 30 failed_status "$mnt/notes"
check "IPFS down: the file is still there" cmp -s "$work/scan.bin" "$mnt/notes/scan.bin"
check "IPFS down: nothing registered" test "$(registrations "$owner" notes)" -eq 0
stop_daemon   # a restart while the network is down: the change is kept and resumes
DELAY_MS=200 start_daemon
peer start ipfs
wait_published "$mnt/notes" 120; check "IPFS back: published" test $? -eq 0
check "IPFS back: registered once" test "$(registrations "$owner" notes)" -eq 1
check "IPFS back: content" cmp -s "$work/scan.bin" "$mnt/notes/scan.bin"

# --- the chain down -----------------------------------------------------------------------------------------------
peer stop anvil
printf 'second\n' > "$mnt/notes/text.txt"
check "chain down: failed, retrying" wait_for 30 failed_status "$mnt/notes"
check "chain down: the content is kept" test "$(cat "$mnt/notes/text.txt")" == second
peer start anvil
wait_published "$mnt/notes" 120; check "chain back: published" test $? -eq 0
check "chain back: two versions in all, each registered once" test "$(registrations "$owner" notes)" -eq 2
check "chain back: versions list" bash -c "getfattr --absolute-names --only-values -n user.protected.versions '$mnt/notes' | grep -q address"

# --- the SMS down: the registration lands, the key push waits, nothing is registered twice ---------------------
peer stop sms
printf 'third\n' > "$mnt/notes/text.txt"
check "SMS down: failed, retrying" wait_for 30 failed_status "$mnt/notes"
peer start sms
wait_published "$mnt/notes" 120; check "SMS back: published" test $? -eq 0
count=$(registrations "$owner" notes)
check "SMS back: registered once more, not twice (got $count)" test "$count" -eq 3
[[ "$count" -eq 3 ]] || grep -iE "notes|warn|fail" "$work/daemon.log" | tail -8

# --- the market down after a publish: the version lands once, its grant waits (issue 9 §1: before, every retry of
# the grants uploaded and registered the version again, a new dataset with gas per backoff) -------------------------
peer stop market
mkdir -p "$mnt/ledger"
printf 'alice\n' > "$mnt/ledger/name.txt"
check "market down: grant set" setfattr -n "user.protected.grant.any.$PFS_APP" -v "count=2" "$mnt/ledger"
grants_failed() { [[ "$(attr status "$1")" == "failed: grants: "*"retry in"* ]]; }
check "market down: the version published, its grants failing and retried" wait_for 60 grants_failed "$mnt/ledger"
sleep 8  # backoffs of 1, 2 and 4 s pass while the market stays down: each retries the grants only
check "market down: one dataset on chain after the retries" test "$(registrations "$owner" ledger)" -eq 1
peer start market
open_grant() { getfattr --absolute-names --only-values -n user.protected.grants "$1" | grep -q '"status":"open"'; }
check "market back: the grant is open" wait_for 120 open_grant "$mnt/ledger"
check "market back: published" test "$(attr status "$mnt/ledger")" == published
check "market back: still one dataset" test "$(registrations "$owner" ledger)" -eq 1
stop_daemon
finish
