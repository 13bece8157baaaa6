#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang, ASan + UBSan, into build-fuzz/) and runs each for SECONDS
# (default 60), seeded from tests/vectors; the corpus grows in build-fuzz/corpus/<harness>/ from run to run. A
# harness that crashes, leaks or times out fails the run: its input is saved in build-fuzz/crashes/ (replay it with
# `build-fuzz/tests/fuzz/fuzz_NAME FILE`). Prints the executions of each harness and their total.
#   scripts/fuzz.sh [SECONDS] [HARNESS…]      e.g. scripts/fuzz.sh 5 (what CTest runs), scripts/fuzz.sh 600 keystore
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
if ! command -v clang++ >/dev/null || [[ ! -e $(clang++ -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a ]]; then
  echo "clang++ or libFuzzer (libclang-rt-14-dev) missing: scripts/install-deps.sh --test"
  [[ ${CI:-} == true ]] && exit 1  # in CI the fuzzers (and the clang build) must run
  exit 77
fi
dir=build-fuzz
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" -DPFS_FUZZ=ON \
  -DBUILD_TESTING=OFF -DPFS_WERROR=OFF "${launcher[@]}" >/dev/null
ninja -C "$dir" -j2 pfs_fuzzers >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log"; echo "FAIL: the clang build"; exit 1; }
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || mapfile -t harnesses < <(sed -n 's/^set(PFS_FUZZERS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt | tr ' ' '\n')
seeds=$(mktemp -d); trap 'rm -rf "$seeds"' EXIT
tests/fuzz/seeds.py tests/vectors "$seeds"
mkdir -p "$dir/crashes"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# PFS_FUZZ_NICE=19: the harnesses (not the build) at that niceness, beside other work.
# PFS_FUZZ_PARALLEL=1: every harness at once (long runs on a shared machine). PFS_FUZZ_KEEP_GOING="NAME…": these
# harnesses go on after a crash (libFuzzer's fork mode, slower), each crashing input saved, the run still failing.
run_one() {
  local name=$1 corpus=$dir/corpus/$1 log=$dir/fuzz-$1.log extra=() status=0
  [[ " ${PFS_FUZZ_KEEP_GOING:-} " == *" $name "* ]] && extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  mkdir -p "$corpus"
  nice -n "${PFS_FUZZ_NICE:-0}" "$dir/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$dir/crashes/$name-" "${extra[@]}" "$corpus" "$seeds/$name" >"$log" 2>&1 ||
    status=$?
  echo "$status" >"$dir/fuzz-$name.status"
}
if [[ ${PFS_FUZZ_PARALLEL:-} == 1 ]]; then
  for name in "${harnesses[@]}"; do run_one "$name" & done
  wait
else
  for name in "${harnesses[@]}"; do run_one "$name"; done
fi
total=0; failed=()
for name in "${harnesses[@]}"; do
  log=$dir/fuzz-$name.log
  status=ok
  if [[ $(cat "$dir/fuzz-$name.status") != 0 ]] || grep -q '^==[0-9]*== ERROR\|deadly signal\|crash: [1-9]' "$log"; then
    status=FAILED; failed+=("$name")
  fi
  # Executions: the final stats; in fork mode the last progress line ("#N: cov: …").
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [[ -n $runs ]] || runs=$(sed -n 's/^#\([0-9]*\):* .*/\1/p' "$log" | tail -1)
  runs=${runs:-0}
  total=$((total + runs))
  printf '%-14s %-6s %12d executions\n' "$name" "$status" "$runs"
  [[ $status == ok ]] || grep -E '^(==[0-9]+== ?ERROR|SUMMARY|.*runtime error|terminate called|  what)' "$log" | sort -u | head -5
done
printf '%-14s %-6s %12d executions\n' total "" "$total"
[[ ${#failed[@]} -eq 0 ]] || { echo "failed: ${failed[*]} (logs: $dir/fuzz-NAME.log, inputs: $dir/crashes/)"; exit 1; }
