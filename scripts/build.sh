#!/usr/bin/env bash
# Configures and builds protectedfs. BUILD_TYPE=Release (default) or Sanitize (ASan + UBSan), into build/ or
# build-sanitize/. Uses at most two jobs: the machines have two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
type=${BUILD_TYPE:-Release}
dir=build; [[ "$type" == Release ]] || dir="build-${type,,}"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DPFS_WERROR=ON >/dev/null
ninja -C "$dir" -j2
