#!/usr/bin/env bash
# Installs what the local iExec peers need, idempotently:
#  - the npm packages pinned by package-lock.json (anvil, solc, ethers, the iexec SDK, js-ipfs), with `npm ci`
#    only when node_modules was not installed from this exact lock file;
#  - PoCo 6.1.0's compiled artifacts, from `npm pack @iexec/poco@6.1.0` (a plain `npm install` of it fails on its
#    git dependencies), checked against the registry's integrity and extracted once into the cache.
# Safe to run concurrently (flock).
set -euo pipefail
source "$(dirname "$0")/lib/paths.sh"
mkdir -p "$PEERS_CACHE"
exec 9>"$PEERS_CACHE/install.lock"
flock 9

lock_hash=$(sha256sum "$PEERS_HOME/package-lock.json" | cut -d' ' -f1)
stamp=$PEERS_HOME/node_modules/.pfs-installed-from
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]]; then
  # --ignore-scripts: nothing here needs an install script (anvil ships its binary, classic-level its prebuilds),
  # and the few that exist would try to download things this machine cannot reach.
  (cd "$PEERS_HOME" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$stamp"
fi

if [[ ! -f "$POCO_DIR/package.json" ]]; then
  tmp=$(mktemp -d "$PEERS_CACHE/poco.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "@iexec/poco@$POCO_VERSION" --loglevel=error >/dev/null)
  tgz=$tmp/iexec-poco-$POCO_VERSION.tgz
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [[ "$got" != "$POCO_INTEGRITY" ]]; then
    echo "install.sh: @iexec/poco@$POCO_VERSION integrity mismatch: $got" >&2
    exit 1
  fi
  tar xzf "$tgz" -C "$tmp"
  rm -rf "$(dirname "$POCO_DIR")"
  mv "$tmp" "$(dirname "$POCO_DIR")"   # atomic: a reader sees either no PoCo or a complete one
  trap - EXIT
fi
