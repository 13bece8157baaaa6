#!/usr/bin/env bash
# The consumer commands on the local network as users drive them: wallet show/faucet (balances in nRLC), app
# register, find, and every refusal of run (exit 1, one line on stderr naming the cause, nothing paid, consumed or
# written). Runs that succeed need a protected data with a grant: tests/mount/grants.sh drives them end to end.
set -uo pipefail
export LC_ALL=C  # the checks compare error texts (strerror, tools' messages) in English
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" PROTECTEDFS_PASSWORD="correct horse battery staple"
net="$work/net"
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else fail "$what"; fi; }
pfs() { "$bin" "$@" --network "local:$net"; }

# refuses "what" "expected phrase" command...: exit 1, one stderr line containing the phrase.
refuses() {
  local what=$1 phrase=$2; shift 2
  local err; err=$("$@" 2>&1 >/dev/null </dev/null); local rc=$?
  if [[ $rc -ne 1 ]]; then fail "$what: exit $rc (want 1): $err"; return; fi
  if [[ $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then fail "$what: stderr is not one line: $err"; return; fi
  if [[ "$err" != *"$phrase"* ]]; then fail "$what: '$err' does not say '$phrase'"; return; fi
  ok
}
balance_of() { pfs wallet show --wallet "$1" | sed -n 's/^balance .*(\([0-9]*\) nRLC).*/\1/p'; }

"$bin" wallet create --wallet owner.json > /dev/null && "$bin" wallet create --wallet consumer.json > /dev/null || fail "wallets"
consumer=$("$bin" wallet show --wallet consumer.json | sed -n 's/^address //p')

# --- wallet show and faucet --------------------------------------------------------------------------------------
check "show: balance 0 on a network never used" test "$(pfs wallet show --wallet consumer.json | sed -n 's/^balance //p')" == "0 RLC (0 nRLC) on local"
check "show creates no network" test ! -e "$net"
check "show on the default network creates nothing" test "$("$bin" wallet show --wallet consumer.json | tail -1)" == "balance 0 RLC (0 nRLC) on local"
check "nothing under XDG_DATA_HOME" test ! -e "$XDG_DATA_HOME/protectedfs/local"
out=$(pfs wallet faucet --wallet consumer.json)
check "faucet: 10 RLC by default" test "$out" == "funded $consumer with 10 RLC
balance 10 RLC (10000000000 nRLC) on local"
pfs wallet faucet 2.5RLC --wallet consumer.json > /dev/null && ok || fail "faucet 2.5RLC"
pfs wallet faucet 7 --wallet consumer.json > /dev/null && ok || fail "faucet 7 nRLC"
check "balance adds up" test "$(balance_of consumer.json)" == 12500000007
check "show prints RLC" test "$(pfs wallet show --wallet consumer.json | tail -1)" == "balance 12.500000007 RLC (12500000007 nRLC) on local"
refuses "faucet: not an amount" "neither nRLC" pfs wallet faucet abc --wallet consumer.json
refuses "faucet: finer than nRLC" "at most 9 decimals" pfs wallet faucet 1.0000000001RLC --wallet consumer.json
refuses "faucet: nothing" "at least 1 nRLC" pfs wallet faucet 0 --wallet consumer.json
refuses "faucet: over 2^64" "largest balance" pfs wallet faucet 18446744073709551616 --wallet consumer.json
refuses "faucet: balance overflow" "would pass" pfs wallet faucet 18446744073709551615 --wallet consumer.json
refuses "faucet: not the local network" "not by protectedfs" "$bin" wallet faucet --wallet consumer.json --network arbitrum-mainnet
refuses "faucet: unknown network" "nowhere" "$bin" wallet faucet --wallet consumer.json --network nowhere
refuses "faucet: no wallet" "no such file" pfs wallet faucet --wallet none.json
check "refusals changed no balance" test "$(balance_of consumer.json)" == 12500000007

# --- app register ------------------------------------------------------------------------------------------------
printf '#!/bin/sh\necho "{}" > "$IEXEC_OUT/computed.json"\n' > app.sh && chmod +x app.sh
app=$(pfs app register app.sh --name trial --wallet owner.json)
check "register prints the address" test "$(grep -cE '^0x[0-9a-fA-F]{40}$' <<<"$app")" == 1
check "same content, same address" test "$(pfs app register app.sh --wallet consumer.json)" == "$app"
cp app.sh copy.sh && printf '# another\n' >> copy.sh
other_app=$(pfs app register copy.sh --wallet owner.json)
check "other content, other address" test "$other_app" != "$app"
app_dir="$net/apps/${app,,}"
check "the executable is kept read-only" test "$(stat -c %a "$app_dir/app")" == 555
check "the record names it" grep -q '"name":"trial"' "$app_dir/app.json"
mkdir folder && : > empty
refuses "register: missing file" "cannot open missing" pfs app register missing --wallet owner.json
refuses "register: a folder" "not a regular file" pfs app register folder --wallet owner.json
refuses "register: empty file" "is empty" pfs app register empty --wallet owner.json
PROTECTEDFS_PASSWORD=wrong refuses "register: wrong password" "wrong password" pfs app register app.sh --wallet owner.json
check "refusals registered nothing" test "$(ls "$net/apps" | wc -l)" == 2

# --- find ----------------------------------------------------------------------------------------------------------
check "find: nothing yet" test -z "$(pfs find --schema email:string)"
check "find --json: an empty list" test "$(pfs find --schema email:string --json)" == "[]"
# Records as the registry writes them (documented in src/network/local/record.hpp), standing for published data.
record() {  # record ADDRESS OWNER NAME SCHEMA SEQUENCE
  python3 - "$net/registry" "$@" <<'PY'
import json, sys, os
folder, address, owner, name, schema, sequence = sys.argv[1:]
text = json.dumps({"address": address, "owner": owner.lower(), "name": name,
                   "multiaddr": "0xa503221220" + "00" * 32, "checksum": "0x" + "11" * 32, "schema": schema,
                   "created": 1700000000, "sequence": int(sequence), "tx": "0x" + "22" * 32})
with open(os.path.join(folder, address + ".json"), "w") as f: f.write(text + "\n")
PY
}
d1=0x00000000000000000000000000000000000000d1 d2=0x00000000000000000000000000000000000000d2
record $d1 "$consumer" "mail box" '{"email":"string","smtp":{"port":"f64"}}' 1
record $d2 0x00000000000000000000000000000000000000aa other '{"email":"string"}' 2
found=$(pfs find --schema email:string)
check "find: both, oldest first" test "$(cut -d' ' -f1 <<<"$found" | tr 'A-F' 'a-f' | tr '\n' ' ')" == "$d1 $d2 "
check "find: name as JSON, schema" test "$(head -1 <<<"$found" | cut -d' ' -f3-)" == '"mail box" {"email":"string","smtp":{"port":"f64"}}'
check "find: nested field" test "$(pfs find --schema smtp.port:f64 email:string | wc -l)" == 1
check "find: --owner" test "$(pfs find --schema email:string --owner "$consumer" | wc -l)" == 1
check "find: no --schema lists all" test "$(pfs find | wc -l)" == 2
check "find: another type matches nothing" test -z "$(pfs find --schema email:f64)"
json=$(pfs find --schema smtp.port:f64 --json)
check "find --json" python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert len(d)==1 and d[0]['name']=='mail box' and d[0]['schema']['smtp']=={'port':'f64'}" "$json"
refuses "find: not PATH:TYPE" "is not PATH:TYPE" pfs find --schema email
refuses "find: unknown type" "unknown field type" pfs find --schema email:str
refuses "find: bad path" "not a dot path of field keys" pfs find --schema 'e mail:string'
refuses "find: bad owner" "0x12" pfs find --owner 0x12

# --- run: every refusal pays nothing, consumes nothing, writes nothing ------------------------------------------
run() { pfs run "$@" --wallet consumer.json; }
refuses "run: no grant" "the dataset has no grants" run $d1 --app "$app" --out r1
refuses "run: unknown dataset" "is not registered" run 0x00000000000000000000000000000000000000ee --app "$app" --out r1
refuses "run: unknown app" "app 0x00000000000000000000000000000000000000ff is not registered" run $d1 --app 0x00000000000000000000000000000000000000ff --out r1
refuses "run: malformed dataset" "address" run 0x1234 --app "$app" --out r1
refuses "run: malformed max price" "neither nRLC" run $d1 --app "$app" --out r1 --max-price cheap
refuses "run: unbalanced quote" "unterminated" run $d1 --app "$app" --out r1 --args "'open"
mkdir full && touch full/kept
refuses "run: result folder in use" "already exists and is not an empty folder" run $d1 --app "$app" --out full
refuses "run: result folder's parent missing" "no folder" run $d1 --app "$app" --out no/such/r1
PROTECTEDFS_PASSWORD=wrong refuses "run: wrong password" "wrong password" run $d1 --app "$app" --out r1
refuses "run: no wallet" "no such file" pfs run $d1 --app "$app" --out r1 --wallet none.json
check "refused runs wrote nothing" test ! -e r1 -a ! -e iexec_out
check "refused runs paid nothing" test "$(balance_of consumer.json)" == 12500000007
check "refused runs consumed nothing" test "$(ls "$net/tasks" | wc -l)" == 0
check "help lists run, find, app" bash -c "'$bin' --help | grep -q run && '$bin' --help | grep -q find && '$bin' --help | grep -q app"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
