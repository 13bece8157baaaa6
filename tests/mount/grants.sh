#!/usr/bin/env bash
# Protect, share, monitor, monetize, compute (issue 4) on the local network with two wallets and two mounts:
# the owner protects an email and grants a registered iApp to the consumer (count=2, a price); the consumer runs it
# twice and gets the email (read by iExec's own deserializer inside the app); a third run is refused; usage shows
# 2 consumed and the earnings; a revoked grant refuses runs; a new version carries the grant; a transfer moves the
# folder from the owner's mount to the consumer's. Every malformed grant is EINVAL and changes nothing.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only (app register and the faucet); on iExec: tests/mount/iexec_proof.sh"
  exit 0
fi
interop=$(cd "$(dirname "$0")/../interop" && pwd)
[[ -d "$interop/node_modules/@iexec/dataprotector-deserializer" ]] || { echo "needs scripts/install-deps.sh --test"; exit 1; }
pfs() { "$bin" "$@" --network "local:$net"; }

a="$work/owner" b="$work/consumer"
# The owner's tree sync passes every 10 minutes: usage must follow runs without it (a run on this machine is
# accounted in the local network's tasks/, which the mount watches).
mount_at "$a" "wallet=$work/owner.json,cache=$work/cache-a,sync_interval=600000"
mount_at "$b" "wallet=$work/consumer.json,cache=$work/cache-b"
owner=$(attr wallet "$a"); consumer=$(attr wallet "$b")

mkdir "$a/medical"
printf 'alice@example.com\n' > "$a/medical/email.txt"
printf '42\n' > "$a/medical/age.txt"
"$bin" sync "$a" > /dev/null
dataset=$(attr address "$a/medical")

# The iApp: a real program reading the field as iExec's iApps do.
# The local worker shows an app none of the host's files but the system's: runs let it read tests/interop (--read-only).
printf '#!/bin/sh\nexec node %s "$@"\n' "$interop/iapp_email.mjs" > "$work/email-reader"
chmod +x "$work/email-reader"
app=$(pfs app register "$work/email-reader" --name email-reader --wallet "$work/owner.json" | grep -oE '0x[0-9a-fA-F]{40}' | head -1)
check "app registered" test -n "$app"
check "same content, same app address" test "$(pfs app register "$work/email-reader" --wallet "$work/owner.json" | grep -oE '0x[0-9a-fA-F]{40}' | head -1)" == "$app"

# --- every malformed grant: EINVAL, nothing changed ---------------------------------------------------------------
grant="user.protected.grant.$consumer.$app"
lower_app="0x$(echo "${app:2}" | tr 'A-F' 'a-f')"
# The EIP-55 checksum broken: the case of its first letter flipped.
bad_case_app=$(python3 -c "import sys; a=sys.argv[1]; i=next(i for i in range(2, 42) if a[i].isalpha()); print(a[:i] + a[i].swapcase() + a[i+1:])" "$app")
for name in "user.protected.grant.any.any" "user.protected.grant.$consumer.0x1234" "user.protected.grant.zz.$app" \
            "user.protected.grant.$consumer.${app}00" "user.protected.grant.any.0xZZ${app:4}" \
            "user.protected.grant.any.$bad_case_app" "user.protected.grant.$consumer" \
            "user.protected.grant.any.0x0000000000000000000000000000000000000000"; do
  refuses "bad grant name ${name#user.protected.grant.}" "Invalid argument" setfattr -n "$name" -v "count=1" "$a/medical"
done
for value in "count=-1" "count=0" "count=two" "price=-5" "price=cheap" "price=1.0000000001RLC" "colour=blue" \
             "count=1 count=2" "count" "count=1;price=2"; do
  refuses "bad grant value '$value'" "Invalid argument" setfattr -n "$grant" -v "$value" "$a/medical"
done
refuses "grant on a field" "Invalid argument" setfattr -n "$grant" -v "count=1" "$a/medical/email.txt"
check "nothing granted by bad input" test "$(attr grants "$a/medical")" == "[]"
check "lowercase app accepted" setfattr -n "user.protected.grant.any.$lower_app" -v "count=1" "$a/medical"
check "it reads back under the checksummed name" bash -c "getfattr --absolute-names -d -m - '$a/medical' | grep -q 'grant.any.$app='"
setfattr -x "user.protected.grant.any.$app" "$a/medical"
refuses "revoking a grant that is not there" "No such attribute" setfattr -x "$grant" "$a/medical"

# --- grant, run twice, third refused --------------------------------------------------------------------------
check "grant to the consumer" setfattr -n "$grant" -v "price=1.5RLC count=2" "$a/medical"
"$bin" sync "$a" > /dev/null
check "grant read back" test "$(attr "grant.$consumer.$app" "$a/medical")" == "price=1500000000 count=2 remaining=2"
check "grant is open" bash -c "getfattr --absolute-names --only-values -n user.protected.grants '$a/medical' | grep -q '\"status\":\"open\"'"
refuses "run without funds" "" pfs run "$dataset" --app "$app" --out "$work/poor" --wallet "$work/consumer.json" --read-only "$interop"
check "nothing consumed by a refused run" test "$(attr "grant.$consumer.$app" "$a/medical")" == "price=1500000000 count=2 remaining=2"
pfs wallet faucet 5RLC --wallet "$work/consumer.json" > /dev/null
check "run 1" pfs run "$dataset" --app "$app" --args "hello" --out "$work/out1" --wallet "$work/consumer.json" --read-only "$interop"
check "run 1 result: the email" test "$(head -1 "$work/out1/result.txt")" == alice@example.com
check "run 1 result: the args" test "$(sed -n 2p "$work/out1/result.txt")" == hello
check "run 1 computed.json" test -f "$work/out1/computed.json"
# A result folder is an ordinary folder: 0777 & ~umask, as mkdir(1) makes it (it was always 0755)
(umask 000; pfs run --read-only "$interop" "$dataset" --app "$app" --out "$work/out2" --wallet "$work/consumer.json") && ok || fail "run 2 (under umask 000)"
check "run 2's result folder is 0777 under umask 000" test "$(stat -c %a "$work/out2")" == 777
refuses "run 3: used up" "" pfs run --read-only "$interop" "$dataset" --app "$app" --out "$work/out3" --wallet "$work/consumer.json"
check "no result for a refused run" test ! -e "$work/out3/result.txt"
refuses "owner's wallet has no grant" "" pfs run "$dataset" --app "$app" --out "$work/out4" --wallet "$work/owner.json" --read-only "$interop"
check "no plaintext left behind" bash -c "! ls /tmp | grep -qi iexec_in"

# --- usage on both sides ------------------------------------------------------------------------------------------
usage_of() { getfattr --absolute-names --only-values -n user.protected.usage "$1" | python3 -c "import json,sys; u=json.load(sys.stdin); print(u['total']['consumed'], u['total']['earnings'])"; }
check "owner's usage: 2 consumed, 3 RLC earned, without a sync pass" wait_for 3 bash -c "[[ \"\$(getfattr --absolute-names --only-values -n user.protected.usage '$a/medical' | python3 -c \"import json,sys; u=json.load(sys.stdin); print(u['total']['consumed'], u['total']['earnings'])\")\" == '2 3000000000' ]]"
check "usage command (owner, from the mount)" bash -c "'$bin' usage '$a/medical' | grep -q '3 RLC'"
# The table's columns line up under their headings (USER and APP once ran together: 0x2222…22220x1111…1111).
columns_aligned() {
  "$bin" usage "$a/medical" | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
head = lines[0]
starts = [head.index(h) for h in ("USER", "APP")]
for line in lines[1:-1]:  # grant rows: each cell of USER and APP starts under its heading, after a blank
    for s in starts:
        assert line[s - 1] == " " and line[s] != " ", (line, s)
assert lines[-1].startswith("total"), lines[-1]'
}
check "usage table: columns aligned" columns_aligned
check "usage command (consumer, from the network)" bash -c "'$bin' usage '$dataset' --network 'local:$net' --json | grep -q '\"consumed\": 2'"
check "consumer's balance: 5 - 3 RLC" bash -c "pfs() { '$bin' \"\$@\" --network 'local:$net'; }; pfs wallet show --wallet '$work/consumer.json' | grep -q '2 RLC'"
check "owner's balance: + 3 RLC" bash -c "'$bin' wallet show --network 'local:$net' --wallet '$work/owner.json' | grep -q '3 RLC'"

# --- revoke: refused afterwards ------------------------------------------------------------------------------------
setfattr -n "user.protected.grant.any.$app" -v "count=5" "$a/medical"
"$bin" sync "$a" > /dev/null
check "a grant to anyone" pfs run "$dataset" --app "$app" --out "$work/out5" --wallet "$work/consumer.json" --read-only "$interop"
setfattr -x "user.protected.grant.any.$app" "$a/medical"
"$bin" sync "$a" > /dev/null
refuses "revoked: refused" "" pfs run "$dataset" --app "$app" --out "$work/out6" --wallet "$work/consumer.json" --read-only "$interop"

# --- a new version carries the grant -----------------------------------------------------------------------------
setfattr -n "$grant" -v "count=3" "$a/medical"
printf 'bob@example.com\n' > "$a/medical/email.txt"
wait_published "$a/medical"; "$bin" sync "$a" > /dev/null
new=$(attr address "$a/medical")
check "a new version" test "$new" != "$dataset"
check "the grant follows it" pfs run "$new" --app "$app" --out "$work/out7" --wallet "$work/consumer.json" --read-only "$interop"
check "new version's content" test "$(head -1 "$work/out7/result.txt")" == bob@example.com
refuses "the old version's grant is closed" "" pfs run "$dataset" --app "$app" --out "$work/out8" --wallet "$work/consumer.json" --read-only "$interop"
check "usage across versions" wait_for 10 bash -c "getfattr --absolute-names --only-values -n user.protected.usage '$a/medical' | grep -q '\"consumed\":4'"

# --- rmdir revokes every grant of every version ------------------------------------------------------------------
mkdir "$a/scratch"
printf 'carol@example.com\n' > "$a/scratch/email.txt"
"$bin" sync "$a" > /dev/null
first=$(attr address "$a/scratch")
setfattr -n "$grant" -v "count=5" "$a/scratch"
printf 'dave@example.com\n' > "$a/scratch/email.txt"
wait_published "$a/scratch"; "$bin" sync "$a" > /dev/null
second=$(attr address "$a/scratch")
check "scratch: the grant works" pfs run "$second" --app "$app" --out "$work/out10" --wallet "$work/consumer.json" --read-only "$interop"
rm "$a/scratch/email.txt"
rmdir "$a/scratch"
"$bin" sync "$a" > /dev/null
refuses "rmdir: the newest version's grant is revoked" "" pfs run "$second" --app "$app" --out "$work/out11" --wallet "$work/consumer.json" --read-only "$interop"
refuses "rmdir: no grant left on the first version" "" pfs run "$first" --app "$app" --out "$work/out12" --wallet "$work/consumer.json" --read-only "$interop"
check "rmdir: no open order left" test "$("$bin" usage "$second" --network "local:$net" --json | grep -c '"open": true')" -eq 0

# --- renaming over an empty protected data removes it as rmdir does: its grants are revoked -----------------------
mkdir "$a/spare"
printf 'erin@example.com\n' > "$a/spare/email.txt"
"$bin" sync "$a" > /dev/null
setfattr -n "$grant" -v "count=5" "$a/spare"
"$bin" sync "$a" > /dev/null
spare=$(attr address "$a/spare")
check "spare: the grant works" pfs run --read-only "$interop" "$spare" --app "$app" --out "$work/out13" --wallet "$work/consumer.json"
rm "$a/spare/email.txt"
mkdir "$a/draft"
check "mv over the empty protected data" mv -T "$a/draft" "$a/spare"
"$bin" sync "$a" > /dev/null
refuses "mv over it: its grant is revoked" "" pfs run --read-only "$interop" "$spare" --app "$app" --out "$work/out14" --wallet "$work/consumer.json"
check "mv over it: no open order left" test "$("$bin" usage "$spare" --network "local:$net" --json | grep -c '"open": true')" -eq 0

# --- transfer: the folder moves to the consumer's mount ----------------------------------------------------------
refuses "transfer to a malformed address" "Invalid argument" setfattr -n user.protected.owner -v 0x1234 "$a/medical"
# 20 characters of text (a truncated address) are text, not the 20 raw bytes of an address nobody holds
refuses "transfer to a truncated address (20 characters)" "Invalid argument" setfattr -n user.protected.owner -v '"0x5aAeb6053F3E94C9b9"' "$a/medical"
check "still owned by the owner after the refused transfers" test "$(attr owner "$a/medical")" == "$owner"
check "transfer" setfattr -n user.protected.owner -v "$consumer" "$a/medical"
check "it leaves the owner's mount" wait_for 10 test ! -e "$a/medical"
check "it appears in the consumer's mount" wait_for 10 test -d "$b/medical"
check "owned by the consumer" test "$(attr owner "$b/medical")" == "$consumer"
refuses "the old owner's grants stop working" "" pfs run "$new" --app "$app" --out "$work/out9" --wallet "$work/consumer.json" --read-only "$interop"

unmount_at "$b"
unmount_at "$a"
finish
