#!/usr/bin/env bash
# Configures and builds protectedfs. BUILD_TYPE=Release (default), Sanitize (ASan + UBSan) or Tsan (ThreadSanitizer),
# into build/, build-sanitize/ or build-tsan/. Uses at most two jobs: the machines have two cores. Arguments are
# ninja targets (default: all, the tests included); scripts/run.sh builds only `protectedfs`.
set -euo pipefail
cd "$(dirname "$0")/.."
type=${BUILD_TYPE:-Release}
dir=build; [[ "$type" == Release ]] || dir="build-${type,,}"
# -Werror for Release only: at -O1 with sanitizers GCC 12 warns falsely (maybe-uninitialized inside Catch2).
werror=OFF; [[ "$type" == Release ]] && werror=ON
# ccache where installed: rebuilds, and builds of other checkouts of the same sources (paths made relative by
# CCACHE_BASEDIR), compile only what changed.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DPFS_WERROR=$werror "${launcher[@]}" >/dev/null
ninja -C "$dir" -j2 "$@"
