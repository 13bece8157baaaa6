#!/usr/bin/env bash
# Installs what protectedfs needs on Debian 12 (only what is missing), and the npm packages of the interop tests.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   plus what the test suite uses (attr, rsync, clang, node/npm and the JS readers)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config ccache
          libfuse3-dev fuse3 libsodium-dev libcurl4-openssl-dev nlohmann-json3-dev librocksdb-dev
          libsecp256k1-dev libcrypto++-dev libssl-dev libisal-dev libcli11-dev libspdlog-dev catch2
          libtomlplusplus-dev libseccomp-dev)
if [[ "${1:-}" == "--test" ]]; then
  # clang: the lints (tests/lint) and the fuzzers (tests/fuzz, libFuzzer from libclang-rt); lintian: tests/package
  packages+=(attr rsync man-db time clang clang-format libclang-rt-14-dev lintian)
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  # iExec's own JavaScript readers, pinned by tests/interop/package-lock.json.
  if [[ ! -d tests/interop/node_modules ]] || ! cmp -s tests/interop/package-lock.json \
       tests/interop/node_modules/.package-lock.json 2>/dev/null; then
    (cd tests/interop && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  # The real local iExec peers (anvil + PoCo, js-ipfs, SMS and market stand-ins), pinned by their own lock file.
  tests/peers/install.sh
fi
