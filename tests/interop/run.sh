#!/usr/bin/env bash
# Runs one interoperability check (pack_to_js or js_to_unpack) against iExec's JavaScript packages, pinned by
# package-lock.json and installed by scripts/install-deps.sh --test (or here, if missing).
set -euo pipefail
bin=$(realpath "$1"); mode=$2
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -d "$here/node_modules/@iexec/dataprotector" ]]; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node "$here/$mode.mjs" "$bin" "$work"
