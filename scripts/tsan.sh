#!/usr/bin/env bash
# ThreadSanitizer run: builds build-tsan/ (BUILD_TYPE=Tsan: -fsanitize=thread) and runs the unit tests and the mount
# suite "basics" (a real daemon: libfuse's threads, the publisher, the tree sync, RocksDB's threads) under it. Any
# race report fails the run. Not part of scripts/test.sh; README.md (Tests) says how long it takes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
BUILD_TYPE=Tsan scripts/build.sh
# Reports go on; the exit status says whether there was one (66). Suppressions: tests/tsan.supp (none is ours).
export TSAN_OPTIONS="second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
status=0
start=$SECONDS
# Not the peers' cases (they need the peers), not the hidden benchmarks, and not the cases that fork a
# multithreaded process whose child opens RocksDB (TSan does not support a child starting threads after such a
# fork: the child hangs or dies).
build-tsan/tests/unit_tests '~[peers]~[.]~"everything synced before a SIGKILL is there after reopening"~"a cache directory opens in one place at a time (EBUSY)"' || status=1
tests/mount/basics.sh build-tsan/src/protectedfs || status=1  # fails on a report in the daemon's log (lib.sh)
echo "tsan: $((SECONDS - start)) s, $([[ $status -eq 0 ]] && echo clean || echo 'FAILED (see the reports above)')"
exit $status
