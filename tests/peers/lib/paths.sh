# shellcheck shell=bash disable=SC2034
# Sourced by the peer scripts: where the packages, the PoCo artifacts and the deployed-chain cache live.
# The cache is outside the checkout (shared by every clone on the machine, so CI's fresh clone starts warm); its
# entries are keyed by content hashes, so clones at different commits never share a stale deployment.
PEERS_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_CACHE=${PFS_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/protectedfs-peers}
POCO_VERSION=6.1.0
# Integrity of `npm pack @iexec/poco@6.1.0` as published on the registry (npm view @iexec/poco@6.1.0 dist.integrity).
POCO_INTEGRITY='sha512-BPbDtf2fgQuotr6rf74ACVdwlKqkErEZ8qLbTWM+2CIBj2EX3+6KBGWsFoudoOGjgT7vUJ3jeNX8SWvHzSHg6A=='
POCO_DIR=$PEERS_CACHE/poco-$POCO_VERSION/package
ANVIL=$PEERS_HOME/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
JSIPFS=$PEERS_HOME/node_modules/ipfs/src/cli.js

# The deployed chain depends on the packages (anvil, solc, PoCo via its pinned version), the deploy script, the
# DataProtector source and the account table: any change makes a new key, hence a fresh deployment.
deployment_key() {
  cat "$PEERS_HOME/package-lock.json" "$PEERS_HOME/deploy.mjs" "$PEERS_HOME/lib/iexec.mjs" \
      "$PEERS_HOME/contracts/DataProtector.sol" <(echo "$POCO_VERSION") | sha256sum | cut -c1-16
}
