#!/usr/bin/env bash
# Issue 5's proof through a real mount on the iExec profile (the local peers): iExec's own code reads what the mount
# published (iexec SDK: name, multiaddr, checksum; the DatasetSchema log: the schema; IPFS + the key the SMS got +
# the deserializer: every field), and PoCo accepts the mount's grants (verifySignature; a consumer's matchOrders
# through `protectedfs run` consumes one access, seen in viewConsumed and user.protected.usage; after a revoke the
# same match reverts and run is refused). iExec only: on the local network it has nothing to prove.
source "$(dirname "$0")/lib.sh"
[[ -n "$on_iexec" ]] || { echo "iExec profile only (PFS_PEERS_ENV)"; exit 0; }
proof() { node "$(dirname "$0")/../peers/proof/mount_proof.mjs" "$@"; }

src="$work/medical"
mkdir -p "$src/contact"
printf 'alice@example.com\n' > "$src/email.txt"
printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n' > "$src/report.pdf"
printf '+33 1 23 45 67 89\n' > "$src/contact/phone.txt"
printf '36.6\n' > "$src/temperature.txt"

start_daemon
cp -r "$src" "$mnt/"
setfattr -n user.protected.type -v f64 "$mnt/medical/temperature.txt"
"$bin" sync "$mnt" > /dev/null
wait_published "$mnt/medical"; check "published on the iExec profile" test $? -eq 0
address=$(attr address "$mnt/medical"); schema=$(attr schema "$mnt/medical"); owner=$(attr wallet "$mnt")
fields=$(python3 -c "import json; print(json.dumps({'email': ['string', 'alice@example.com'], 'contact.phone': ['string', '+33 1 23 45 67 89'], 'temperature': ['f64', 36.6], 'report': ['application/pdf', open('$src/report.pdf','rb').read().hex()]}))")
check "iExec's code reads the dataset" proof dataset "$address" medical "$schema" "$fields"
check "checksum attribute = the SDK's" bash -c "[[ '$(attr checksum "$mnt/medical")' =~ ^0x[0-9a-f]{64}$ ]]"

# A consumer with its own funded key (kept: the proof signs a request with it).
openssl rand -hex 32 > "$work/consumer.key"
consumer=$("$bin" wallet import "$work/consumer.key" --wallet "$work/consumer.json" | awk '/^address/{print $2}')
curl -sf -X POST -H 'Content-Type: application/json' "$PFS_RPC" \
  --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_setBalance\",\"params\":[\"$consumer\",\"0x56BC75E2D63100000\"]}" > /dev/null
grant="user.protected.grant.$consumer.$PFS_APP"
check "grant set" setfattr -n "$grant" -v "count=2" "$mnt/medical"
"$bin" sync "$mnt" > /dev/null
grants=$(attr grants "$mnt/medical")
check "grant open on the market" bash -c "echo '$grants' | grep -q '\"status\":\"open\"'"
check "hub.verifySignature" proof verify "$owner" "$grants"
hash=$(echo "$grants" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['orderHash'])")
order=$(proof order "$hash")

check "app and workerpool offer their orders" proof offer
check "the consumer's run is matched on chain" "$bin" run "$address" --app "$PFS_APP" --network peers --wallet "$work/consumer.json" --out "$work/out1"
check "viewConsumed = 1" test "$(proof consumed "$hash")" == 1
check "usage shows the access" wait_for 15 bash -c "getfattr --absolute-names --only-values -n user.protected.usage '$mnt/medical' | grep -q '\"consumed\":1'"
check "remaining 1" wait_for 15 bash -c "[[ \"\$(getfattr --absolute-names --only-values -n '$grant' '$mnt/medical')\" == 'price=0 count=2 remaining=1' ]]"
check "the same match would still pass" test "$(proof match "$order" "$(cat "$work/consumer.key")")" == ok

setfattr -x "$grant" "$mnt/medical"
"$bin" sync "$mnt" > /dev/null
check "after a revoke PoCo refuses the same match" bash -c "proof() { node '$(dirname "$0")/../peers/proof/mount_proof.mjs' \"\$@\"; }; [[ \"\$(proof match '$order' '$(cat "$work/consumer.key")')\" == reverted* ]]"
check "viewConsumed = volume once closed" test "$(proof consumed "$hash")" == 2
refuses "run refused after a revoke" "" "$bin" run "$address" --app "$PFS_APP" --network peers --wallet "$work/consumer.json" --out "$work/out2"
check "usage keeps the access made" bash -c "getfattr --absolute-names --only-values -n user.protected.usage '$mnt/medical' | grep -q '\"consumed\":1'"
stop_daemon
finish
