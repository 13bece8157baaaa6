#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole suite (unit, CLI, interoperability
# with iExec's JavaScript readers), then the unit and CLI tests again under ASan + UBSan.
# CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
ctest --test-dir build --output-on-failure -j2
if [[ "${PFS_SKIP_SANITIZE:-}" != 1 ]]; then
  BUILD_TYPE=Sanitize scripts/build.sh
  ctest --test-dir build-sanitize --output-on-failure -j2 -E 'interop|peers'
fi
