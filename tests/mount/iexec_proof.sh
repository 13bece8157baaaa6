#!/usr/bin/env bash
# Issue 5's proof through a real mount on the iExec profile (the local peers): iExec's own code reads what the mount
# published (iexec SDK: name, multiaddr, checksum; the DatasetSchema log: the schema; IPFS + the key the SMS got +
# the deserializer: every field), and PoCo accepts the mount's grants (verifySignature; a consumer's matchOrders
# through `protectedfs run` consumes one access, seen in viewConsumed and user.protected.usage; after a revoke the
# same match reverts and run is refused), and `result` fetches a task's result as the SDK's getResultFromCompletedTask
# does once a stand-in workerpool completed it. iExec only: on the local network it has nothing to prove.
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
"$bin" run "$address" --app "$PFS_APP" --network peers --wallet "$work/consumer.json" --out "$work/out1" > "$work/run1.txt"
check "the consumer's run is matched on chain" test $? -eq 0
task=$(sed -n 's/^task //p' "$work/run1.txt")
check "run names the task for result" grep -q "protectedfs result $task" "$work/run1.txt"
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
# --- result: the task completed by a stand-in workerpool (the peers have no worker), its result encrypted here --
# --- with openssl and python's zipfile as the post-compute does, fetched and opened by `protectedfs result` -----
standin() { node "$(dirname "$0")/../unit/network/iexec_worker_standin.mjs" "$PFS_PEERS_DIR/peers.env" "$@"; }
result() { "$bin" result "$task" --network peers --wallet "$work/consumer.json" "$@"; }
refuses "result of a task not started" "is UNSET on chain" result --out "$work/res0"
standin initialize "$task" > /dev/null; check "the workerpool starts the task" test $? -eq 0
refuses "result of a running task" "is ACTIVE on chain" result --out "$work/res0"
check "nothing delivered" test ! -e "$work/res0"
mkdir -p "$work/iexec_out/sub" "$work/envelope"
printf '{"deterministic-output-path":"/iexec_out/sub/a.txt"}' > "$work/iexec_out/computed.json"
printf 'the answer\n' > "$work/iexec_out/sub/a.txt"
zip_of() {  # DIR ZIP: DIR's files, stored
  python3 -c "import os,sys,zipfile
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED) as z:
    for root, _, files in os.walk(sys.argv[1]):
        for f in files: p = os.path.join(root, f); z.write(p, os.path.relpath(p, sys.argv[1]))" "$1" "$2"
}
zip_of "$work/iexec_out" "$work/plain.zip"
"$bin" result-key --export "$work/result.key" --network peers --wallet "$work/consumer.json" > "$work/result.pub"
aes=$(openssl rand -hex 32); iv=$(openssl rand -hex 16)
echo -n "$aes" | xxd -r -p | openssl pkeyutl -encrypt -pubin -inkey "$work/result.pub" \
  -pkeyopt rsa_padding_mode:pkcs1 -out "$work/envelope/aes-key.rsa"
{ echo -n "$iv" | xxd -r -p; openssl enc -aes-256-cbc -K "$aes" -iv "$iv" -in "$work/plain.zip"; } > "$work/envelope/iexec_out.zip.aes"
zip_of "$work/envelope" "$work/envelope.zip"
standin finalize "$task" "$work/envelope.zip" > "$work/finalize.json"; check "the workerpool completes it" test $? -eq 0
sdk() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/finalize.json" "$1"; }
check "contributeAndFinalize: the task is COMPLETED" test "$(sdk status)" == 3
check "the SDK's fetchResults downloads the envelope" test "$(sdk sdkSha256)" == "$(sha256sum < "$work/envelope.zip" | cut -c1-64)"
check "result fetches and decrypts it" result --out "$work/res1"
check "the same files" diff -r "$work/iexec_out" "$work/res1"
"$bin" wallet create --wallet "$work/stranger.json" > /dev/null
refuses "another wallet cannot open it" "has no key" "$bin" result "$task" --network peers --wallet "$work/stranger.json" --out "$work/res2"

stop_daemon
finish
