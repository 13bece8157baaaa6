#!/usr/bin/env bash
# The first command: installs what is missing, builds, and shows protectedfs at work on an example folder.
# (The mount on the embedded local network comes with the file system; until then this packs the example into
# an iExec protected file and unpacks it again.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
bin=build/src/protectedfs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/medical "$work/medical"
echo "== protectedfs pack examples/medical"
"$bin" pack "$work/medical" "$work/medical.enc" | tee "$work/info.json"
key=$(sed -n 's/.*"key": "\(.*\)".*/\1/p' "$work/info.json")
checksum=$(sed -n 's/.*"checksum": "\(.*\)".*/\1/p' "$work/info.json")
echo "== protectedfs unpack (checksum verified first)"
"$bin" unpack "$work/medical.enc" --key "$key" --checksum "$checksum" "$work/unpacked" >/dev/null
diff -r "$work/medical" "$work/unpacked" >/dev/null 2>&1 && echo "identical fields" || ls -l "$work/unpacked"
