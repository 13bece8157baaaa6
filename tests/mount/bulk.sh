#!/usr/bin/env bash
# Bulk access and bulk processing with encrypted results (issue 11), the README's two-wallet cycle on the local
# network: the owner grants 3 protected data in bulk to a consumer; the consumer runs one bulk request over the 3
# (one task sees IEXEC_BULK_SLICE_SIZE=3 and IEXEC_DATASET_i_FILENAME), then one with --max-per-task 2 (2 tasks),
# with results encrypted for its own RSA key and decrypted by `run`; `protectedfs result` fetches them again; the
# SDK's utils.decryptResult opens the stored envelope with the same key. Bulk grants show "bulk": true, are never
# consumed, count each processed data in the owner's usage, follow a new version and are revoked like any grant.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only (app register and the local runner)"
  exit 0
fi
interop=$(cd "$(dirname "$0")/../interop" && pwd)
pfs() { "$bin" "$@" --network "local:$net"; }
json_of() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

a="$work/owner"
mount_at "$a" "wallet=$work/owner.json,cache=$work/cache-a"
"$bin" wallet create --wallet "$work/consumer.json" > /dev/null
consumer=$("$bin" wallet show --wallet "$work/consumer.json" | sed -n 's/^address //p')
for who in alice bob carol; do
  mkdir "$a/$who"
  printf '%s@example.com\n' "$who" > "$a/$who/email.txt"
done
mkdir "$a/dave" && printf 'dave@example.com\n' > "$a/dave/email.txt"
"$bin" sync "$a" > /dev/null
declare -A address=()
for who in alice bob carol dave; do address[$who]=$(attr address "$a/$who"); done

# The iApp: reads every dataset of its slice as an iExec bulk iApp does.
cat > "$work/bulk-reader" <<'PY'
#!/usr/bin/env python3
import json, os, zipfile
n = int(os.environ.get("IEXEC_BULK_SLICE_SIZE", "0"))
lines = [f"slice {n}"]
for i in range(1, n + 1):
    name = os.environ[f"IEXEC_DATASET_{i}_FILENAME"]
    with zipfile.ZipFile(os.path.join(os.environ["IEXEC_IN"], name)) as z:
        raw = z.read("email")  # a string field: borsh (u32 length, little-endian, then UTF-8)
        lines.append(name + " " + raw[4:4 + int.from_bytes(raw[:4], "little")].decode())
out = os.environ["IEXEC_OUT"]
with open(os.path.join(out, "result.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "computed.json"), "w") as f:
    json.dump({"deterministic-output-path": os.path.join(out, "result.txt")}, f)
PY
chmod +x "$work/bulk-reader"
app=$(pfs app register "$work/bulk-reader" --name bulk-reader --wallet "$work/owner.json" | grep -oE '0x[0-9a-fA-F]{40}' | head -1)
check "app registered" test -n "$app"
grant="user.protected.grant.$consumer.$app"

# --- the grammar: bulk alone -------------------------------------------------------------------------------------
for value in "bulk price=1" "bulk count=2" "price=0 bulk" "bulk bulk" "bulk=1"; do
  refuses "bulk with '$value'" "Invalid argument" setfattr -n "$grant" -v "$value" "$a/alice"
done
check "nothing granted by bad input" test "$(attr grants "$a/alice")" == "[]"
for who in alice bob carol; do setfattr -n "$grant" -v bulk "$a/$who" || fail "bulk grant on $who"; done
setfattr -n "$grant" -v "count=5" "$a/dave"   # not bulk: a bulk request cannot use it
"$bin" sync "$a" > /dev/null
check "read back: free and unlimited" test "$(attr "grant.$consumer.$app" "$a/alice")" == "price=0 count=unlimited remaining=unlimited"
check "grants: bulk true" test "$(attr grants "$a/alice" | json_of 'd[0]["bulk"]')" == True
check "grants: bulk false for a counted grant" test "$(attr grants "$a/dave" | json_of 'd[0]["bulk"]')" == False
check "usage: bulk true" test "$(attr usage "$a/bob" | json_of 'd["grants"][0]["bulk"]')" == True

# --- refusals: nothing runs, nothing is counted ------------------------------------------------------------------
refuses "a data without a bulk grant" "no open bulk grant" pfs run --bulk --app "$app" "${address[alice]}" "${address[dave]}" --out "$work/no1" --wallet "$work/consumer.json"
refuses "the owner has no bulk grant" "no open bulk grant" pfs run --bulk --app "$app" "${address[alice]}" --out "$work/no2" --wallet "$work/owner.json"
refuses "more than 100 per task" "at most 1 to 100" pfs run --bulk --app "$app" "${address[alice]}" --max-per-task 101 --out "$work/no3" --wallet "$work/consumer.json"
refuses "no data" "needs the data" pfs run --bulk --app "$app" --out "$work/no4" --wallet "$work/consumer.json"
check "refusals left no result" test ! -e "$work/no1" -a ! -e "$work/no2" -a ! -e "$work/no3"
check "refusals counted nothing" test "$(attr usage "$a/alice" | json_of 'd["total"]["consumed"]')" == 0

# --- one bulk request of 3, encrypted --------------------------------------------------------------------------
out=$(pfs run --bulk --app "$app" "${address[alice]}" "${address[bob]}" "${address[carol]}" --out "$work/r1" --encrypt-result --wallet "$work/consumer.json")
check "bulk of 3: one task" test "$(grep -c '^task ' <<<"$out")" == 1
task1=$(grep -oE '^task 1/1 0x[0-9a-f]{64}' <<<"$out" | awk '{print $3}')
check "its result, decrypted" test "$(head -1 "$work/r1/$task1/result.txt")" == "slice 3"
for who in alice bob carol; do
  check "the app read $who" grep -qx "${address[$who]} $who@example.com" "$work/r1/$task1/result.txt"
done
stored="$net/results/$task1.zip"
check "the network keeps only the encrypted envelope" python3 -c "import zipfile,sys; sys.exit(sorted(zipfile.ZipFile(sys.argv[1]).namelist()) != ['aes-key.rsa', 'iexec_out.zip.aes'])" "$stored"
check "no plaintext email in the stored result" bash -c "! grep -q alice@example.com '$stored'"
check "the consumer's key was pushed" test -s "$net/secrets/${consumer,,}.result-key"

# --- --max-per-task 2 by schema: 2 tasks ---------------------------------------------------------------------------
out=$(pfs run --bulk --app "$app" --schema email:string --max-per-task 2 --out "$work/r2" --encrypt-result --wallet "$work/consumer.json")
check "by schema, 2 per task: 2 tasks" test "$(grep -c '^task ' <<<"$out")" == 2
tasks=($(grep -oE '^task [0-9]/2 0x[0-9a-f]{64}' <<<"$out" | awk '{print $3}'))
check "slice sizes 2 and 1" test "$(head -1 "$work/r2/${tasks[0]}/result.txt")/$(head -1 "$work/r2/${tasks[1]}/result.txt")" == "slice 2/slice 1"
check "dave (not bulk) left out" bash -c "! grep -q dave '$work/r2/${tasks[0]}/result.txt' '$work/r2/${tasks[1]}/result.txt'"

# --- accounting: never consumed, each processed data counted ------------------------------------------------------
check "usage: alice processed twice" wait_for 10 bash -c "[[ \$(getfattr --absolute-names --only-values -n user.protected.usage '$a/alice' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"total\"][\"consumed\"])') == 2 ]]"
check "bulk grant not consumed" test "$(attr "grant.$consumer.$app" "$a/alice")" == "price=0 count=unlimited remaining=unlimited"
check "usage from the network: 2 uses, still open" bash -c "'$bin' usage '${address[carol]}' --network 'local:$net' --json | python3 -c 'import json,sys; g=list(json.load(sys.stdin).values())[0][\"grants\"][0]; sys.exit(not (g[\"consumed\"]==2 and g[\"open\"] and g[\"bulk\"]))'"

# --- result TASK fetches and decrypts again; the SDK opens the same envelope -----------------------------------
check "result fetches again" pfs result "$task1" --out "$work/again" --wallet "$work/consumer.json" > /dev/null
check "same result" diff -r "$work/r1/$task1" "$work/again"
refuses "result of an unknown task" "no result for task" pfs result "0x$(printf '%064d' 7)" --out "$work/none" --wallet "$work/consumer.json"
refuses "a wallet without a result key cannot open it" "this wallet has no key" pfs result "$task1" --out "$work/stolen" --wallet "$work/owner.json"
pfs result-key --wallet "$work/owner.json" > /dev/null
refuses "another wallet's key cannot open it" "does not decrypt" pfs result "$task1" --out "$work/stolen" --wallet "$work/owner.json"
check "refusals wrote nothing" test ! -e "$work/stolen"
if [[ -d "$interop/node_modules/iexec" ]]; then
  pfs result-key --export "$work/consumer.key" --wallet "$work/consumer.json" > /dev/null
  check "the key is exported owner-only" test "$(stat -c %a "$work/consumer.key")" == 600
  check "SDK utils.decryptResult opens it" node "$interop/decrypt_result.mjs" "$stored" "$work/consumer.key" "$work/sdk.zip"
  mkdir -p "$work/sdk" && python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$work/sdk.zip" "$work/sdk"
  check "SDK's plaintext = run's" diff -r "$work/r1/$task1" "$work/sdk"
else
  fail "needs scripts/install-deps.sh --test (tests/interop/node_modules/iexec)"
fi

# --- a single run on a bulk grant, encrypted -------------------------------------------------------------------
check "single encrypted run" pfs run "${address[bob]}" --app "$app" --out "$work/single" --encrypt-result --wallet "$work/consumer.json" > /dev/null
check "single run result: a clear folder" test -f "$work/single/computed.json"

# --- revoked like any grant; follows a new version --------------------------------------------------------------
setfattr -x "$grant" "$a/carol"
"$bin" sync "$a" > /dev/null
refuses "revoked bulk grant" "no open bulk grant" pfs run --bulk --app "$app" "${address[carol]}" --out "$work/r3" --wallet "$work/consumer.json"
printf 'alice2@example.com\n' > "$a/alice/email.txt"
"$bin" sync "$a" > /dev/null
new=$(attr address "$a/alice")
check "a new version" test "$new" != "${address[alice]}"
out=$(pfs run --bulk --app "$app" "$new" --out "$work/r4" --wallet "$work/consumer.json")
t=$(grep -oE '0x[0-9a-f]{64}' <<<"$out" | head -1)
check "the bulk grant follows it (clear result)" grep -qx "$new alice2@example.com" "$work/r4/$t/result.txt"
check "result of a clear task, no password needed" env -u PROTECTEDFS_PASSWORD "$bin" result "$t" --out "$work/r4-again" --network "local:$net" --wallet "$work/consumer.json"
check "the same clear result" diff -r "$work/r4/$t" "$work/r4-again"

unmount_at "$a"
finish
