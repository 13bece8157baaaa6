#!/usr/bin/env bash
# Installs what protectedfs needs on Debian 12 (only what is missing), and the npm packages of the interop tests.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   plus what the test suite uses (attr, rsync, clang, node/npm and the JS readers)
#   scripts/install-deps.sh --bench  plus what bench/ uses: gocryptfs (the baseline), GNU time, perf (profiles of
#                                    the publish phase), node/npm, iExec's JS SDK and the local peers (bench/iexec.sh)
#   (both options may be given)
set -euo pipefail
cd "$(dirname "$0")/.."
test=""; bench=""
for option in "$@"; do
  case "$option" in
    --test) test=1 ;;
    --bench) bench=1 ;;
    *) echo "usage: scripts/install-deps.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done

packages=(build-essential cmake ninja-build pkg-config ccache
          libfuse3-dev fuse3 libsodium-dev libcurl4-openssl-dev nlohmann-json3-dev librocksdb-dev
          libsecp256k1-dev libcrypto++-dev libssl-dev libisal-dev libcli11-dev libspdlog-dev catch2
          libtomlplusplus-dev libseccomp-dev)
if [[ -n "$test" ]]; then
  # clang: the lints (tests/lint) and the fuzzers (tests/fuzz, libFuzzer from libclang-rt); lintian: tests/package
  packages+=(attr rsync man-db time clang clang-format libclang-rt-14-dev lintian)
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi
if [[ -n "$bench" ]]; then
  # attr: getfattr/setfattr; openssl: the crypto limit (openssl enc | sha256sum); linux-perf: where the time goes
  packages+=(gocryptfs time attr openssl linux-perf procps)
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

if [[ -n "$test$bench" ]]; then
  # iExec's own JavaScript readers, pinned by tests/interop/package-lock.json.
  if [[ ! -d tests/interop/node_modules ]] || ! cmp -s tests/interop/package-lock.json \
       tests/interop/node_modules/.package-lock.json 2>/dev/null; then
    (cd tests/interop && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
  # The real local iExec peers (anvil + PoCo, js-ipfs, SMS and market stand-ins), pinned by their own lock file.
  tests/peers/install.sh
fi
