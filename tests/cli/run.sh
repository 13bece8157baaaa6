#!/usr/bin/env bash
# The CLI as users drive it: pack, unpack and wallet on real folders and files, and every refusal: exit status 1,
# exactly one line on stderr naming the cause, and nothing left behind (no output, no partial or temporary file).
set -uo pipefail
export LC_ALL=C  # the checks compare error texts (strerror, tools' messages) in English
bin=$(realpath "$1")
vectors=$(cd "$(dirname "$0")/../vectors" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0; failed=0
ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# refuses "what" "expected phrase" command...: exit 1, one stderr line containing the phrase.
refuses() {
  local what=$1 phrase=$2; shift 2
  local err; err=$("$@" 2>&1 >/dev/null </dev/null); local rc=$?
  if [[ $rc -ne 1 ]]; then fail "$what: exit $rc (want 1): $err"; return; fi
  if [[ $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then fail "$what: stderr is not one line: $err"; return; fi
  if [[ "$err" != *"$phrase"* ]]; then fail "$what: '$err' does not say '$phrase'"; return; fi
  ok
}
no_leftovers() {  # nothing but the expected entries in the work folder
  local extra; extra=$(ls -A | grep -v -x -F -f <(printf '%s\n' "$@") || true)
  [[ -z "$extra" ]] && ok || fail "left behind: $extra"
}

# --- pack and unpack -----------------------------------------------------------------------------------------
mkdir -p data/sub && printf 'alice@example.com\n' > data/email.txt && head -c 300000 /dev/urandom > data/sub/blob.bin
printf 'x\n' > data/.hidden
"$bin" pack data data.enc > info.json && ok || fail "pack"
key=$(sed -n 's/.*"key": "\(.*\)".*/\1/p' info.json); sum=$(sed -n 's/.*"checksum": "\(.*\)".*/\1/p' info.json)
schema=$(python3 -c 'import json,sys; print(json.load(open("info.json"))["schema"])')
[[ "$schema" == '{"email":"string","sub":{"blob":"application/octet-stream"}}' ]] && ok || fail "schema $schema"
[[ "$sum" == "0x$(sha256sum data.enc | cut -c1-64)" ]] && ok || fail "checksum differs from sha256sum"
"$bin" unpack data.enc --key "$key" --checksum "$sum" --schema "$schema" out >/dev/null && ok || fail "unpack"
cmp -s data/sub/blob.bin out/sub/blob && [[ "$(cat out/email)" == alice@example.com ]] && ok || fail "round trip"
[[ ! -e out/.hidden ]] && ok || fail "dot-file published"
printf '%s' "$key" > key.txt
"$bin" unpack data.enc --key-file key.txt out-keyfile >/dev/null && ok || fail "unpack --key-file"

refuses "missing folder" "cannot open folder nowhere" "$bin" pack nowhere x.enc
mkdir empty-dir && printf 'x' > empty-dir/.only-local
refuses "nothing to protect" "has no files to protect" "$bin" pack empty-dir x.enc
mkdir clash && touch clash/a.txt clash/a.pdf
refuses "two names, one key" "would both become the field 'a'" "$bin" pack clash x.enc
mkdir linked && ln -s /etc/passwd linked/passwd
refuses "symlink" "is not a regular file or folder" "$bin" pack linked x.enc
mkdir fifo && mkfifo fifo/pipe
refuses "fifo" "is not a regular file or folder" "$bin" pack fifo x.enc
if mkdir typed && printf 'forty\n' > typed/age && setfattr -n user.protected.type -v f64 typed/age 2>/dev/null; then
  refuses "text that is not an f64" "typed/age" "$bin" pack typed x.enc
  setfattr -n user.protected.type -v text/plain typed/age
  refuses "unknown type" "text/plain" "$bin" pack typed x.enc
  printf '\xff\xfe' > typed/age && setfattr -n user.protected.type -v string typed/age
  refuses "binary forced to string" "cannot be a string" "$bin" pack typed x.enc
  rm -r typed
else
  echo "note: no user xattrs in $work, type override refusals not checked"
fi
refuses "output folder missing" "cannot create a file beside" "$bin" pack data no/such/dir/x.enc
no_leftovers data data.enc info.json out key.txt out-keyfile empty-dir clash linked fifo

refuses "wrong key" "wrong key or corrupt file" "$bin" unpack data.enc --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= o1
# What a wrong key gives about once in 256 tries: garbage that happens to end in valid padding. Same message.
iv=000102030405060708090a0b0c0d0e0f; { printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f'; printf 'no zip in here' |
  openssl enc -aes-256-cbc -K 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -iv "$iv"; } > padded.enc
refuses "valid padding, not a zip" "wrong key or corrupt file" "$bin" unpack padded.enc --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= o1
refuses "malformed key" "the key must be 32 bytes" "$bin" unpack data.enc --key abc o1
refuses "no key" "exactly one of --key or --key-file" "$bin" unpack data.enc o1
refuses "malformed checksum" "64 hex digits" "$bin" unpack data.enc --key "$key" --checksum 0x12 o1
head -c 1000 data.enc > truncated.enc && printf 'x' >> truncated.enc
refuses "truncated file" "truncated protected file" "$bin" unpack truncated.enc --key "$key" o1
# One byte inverted (not overwritten with a constant, which it may already hold: a one-in-256 silent pass).
cp data.enc flipped.enc && python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(5000); b = f.read(1); f.seek(5000); f.write(bytes([b[0] ^ 0xFF]))' flipped.enc
cmp -s data.enc flipped.enc && fail "flipped.enc equals data.enc"
refuses "corrupt file, checksum given" "checksum mismatch" "$bin" unpack flipped.enc --key "$key" --checksum "$sum" o1
refuses "corrupt file, no checksum" "corrupt zip" "$bin" unpack flipped.enc --key "$key" o1
refuses "schema field missing" "missing from the data" "$bin" unpack data.enc --key "$key" --schema '{"email":"string","phone":"string"}' o1
refuses "schema not JSON" "schema" "$bin" unpack data.enc --key "$key" --schema '{"email":' o1
refuses "existing output" "already exists" "$bin" unpack data.enc --key "$key" out
refuses "missing input" "cannot open nope.enc" "$bin" unpack nope.enc --key "$key" o1
# Zips made by hand (STORE), encrypted as a protected file is (IV, then AES-256-CBC), under the key above.
enc_zip() {  # OUT NAME=CONTENT...
  local out=$1; shift
  python3 -c '
import io, sys, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
    for arg in sys.argv[1:]:
        name, _, content = arg.partition("=")
        z.writestr(zipfile.ZipInfo(name), content)
sys.stdout.buffer.write(buf.getvalue())' "$@" |
    { printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f'
      openssl enc -aes-256-cbc -K 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -iv "$iv"; } > "$out"
}
enc_zip both.enc "a=field" "a/b=in a folder"
refuses "a field and a folder of one key" "a field and a folder both named \"a\"" "$bin" unpack both.enc --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= o1
enc_zip unsafe.enc "../evil=outside"
refuses "an unsafe entry name is said to be one" "unsafe zip entry name \"../evil\"" "$bin" unpack unsafe.enc --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= o1
enc_zip control.enc $'bad\nname=x'
refuses "an entry name with a newline, escaped in the one line" 'bad\x0aname' "$bin" unpack control.enc --key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= o1
[[ ! -e ../evil ]] && ok || fail "the unsafe entry was written"
no_leftovers data data.enc info.json out key.txt out-keyfile empty-dir clash linked fifo truncated.enc flipped.enc padded.enc \
  both.enc unsafe.enc control.enc

# An output folder is an ordinary folder: 0777 & ~umask, as mkdir(1) makes it (not a fixed 0755).
(umask 000; "$bin" unpack data.enc --key "$key" out-umask000 > /dev/null) && ok || fail "unpack under umask 000"
[[ $(stat -c %a out-umask000) == 777 ]] && ok || fail "unpack under umask 000 made $(stat -c %a out-umask000)"
(umask 027; "$bin" unpack data.enc --key "$key" out-umask027 > /dev/null) && ok || fail "unpack under umask 027"
[[ $(stat -c %a out-umask027) == 750 ]] && ok || fail "unpack under umask 027 made $(stat -c %a out-umask027)"
rm -rf out-umask000 out-umask027

# --- wallet --------------------------------------------------------------------------------------------------
export PROTECTEDFS_PASSWORD="correct horse battery staple"
created=$("$bin" wallet create --wallet w/new.json) && ok || fail "wallet create"
address=$(sed -n 's/^address //p' <<<"$created")
[[ "$address" =~ ^0x[0-9a-fA-F]{40}$ ]] && ok || fail "create printed '$created'"
[[ $(stat -c %a w/new.json) == 600 ]] && ok || fail "wallet file is not owner-only"
[[ "$("$bin" wallet show --wallet w/new.json | sed -n 's/^address //p')" == "$address" ]] && ok || fail "wallet show"
refuses "create over an existing wallet" "already exists" "$bin" wallet create --wallet w/new.json
python3 -c "import json; print(json.dumps(json.load(open('$vectors/keystore.json'))[0]['keystore']))" > geth.json
imported=$("$bin" wallet import geth.json --wallet w/imported.json) && ok || fail "wallet import"
[[ "$imported" == *"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"* ]] && ok || fail "imported address: $imported"
PROTECTEDFS_PASSWORD=wrong refuses "import, wrong password" "wrong password" "$bin" wallet import geth.json --wallet w/x.json
printf 'wrong\n' > pw.txt
refuses "password file wins over the environment" "wrong password" "$bin" wallet import geth.json --wallet w/x.json --password-file pw.txt
printf '{"version":3' > broken.json
refuses "import, not JSON" "broken.json" "$bin" wallet import broken.json --wallet w/x.json
head -c 200000 /dev/zero | tr '\0' ' ' > huge.json
refuses "import, a 200 KB file is no keystore" "larger than 64 KiB" "$bin" wallet import huge.json --wallet w/x.json
python3 -c "import json; k = json.load(open('$vectors/keystore.json'))[0]['keystore']; print(json.dumps(k)[:-1] + ', \"x\": 1e400}')" > overflow.json
refuses "import, a number overflow in the keystore" "keystore is not valid JSON" "$bin" wallet import overflow.json --wallet w/x.json
rm -f huge.json overflow.json
# State is the user's alone whatever the umask: the data folder 0700, the wallet 0600.
(umask 000; XDG_DATA_HOME="$work/xdg-umask" "$bin" wallet create > /dev/null) && ok || fail "wallet create under umask 000"
[[ $(stat -c %a "$work/xdg-umask/protectedfs") == 700 ]] && ok || fail "data folder under umask 000: $(stat -c %a "$work/xdg-umask/protectedfs")"
[[ $(stat -c %a "$work/xdg-umask/protectedfs/wallet.json") == 600 ]] && ok || fail "wallet under umask 000: $(stat -c %a "$work/xdg-umask/protectedfs/wallet.json")"
rm -rf "$work/xdg-umask"
unset PROTECTEDFS_PASSWORD
refuses "no password and no terminal" "PROTECTEDFS_PASSWORD" setsid -w "$bin" wallet create --wallet w/y.json
refuses "show, no wallet" "no such file" "$bin" wallet show --wallet w/none.json
[[ ! -e w/x.json && ! -e w/y.json && $(ls -A w | wc -l) -eq 2 ]] && ok || fail "wallet leftovers: $(ls -A w)"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
