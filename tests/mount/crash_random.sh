#!/usr/bin/env bash
# Durability at random moments (SPEC.md §5): 20 times, a folder of files of mixed sizes is copied in, then the
# daemon is killed with -9 after a random delay, before, during or after its publish; a new mount, `protectedfs
# sync`, then: no byte lost (every file equal to its source) and exactly one registration of the content.
# The delays and sizes come from $RANDOM, seeded and printed: PFS_CRASH_SEED=N replays a failing run.
source "$(dirname "$0")/lib.sh"
seed=${PFS_CRASH_SEED:-$(($(date +%s%N) % 1000000))}
RANDOM=$seed
echo "seed $seed (replay with PFS_CRASH_SEED=$seed)"
iterations=${PFS_CRASH_ITERATIONS:-20}
export DELAY_MS=150 SYNC_MS=500

folder_of_mixed_sizes() {  # DIR: an empty file, text, and random bytes from one byte to ~2.5 MB
  mkdir -p "$1/nested"
  : > "$1/empty.txt"
  printf 'value %d of run %d\n' "$RANDOM" "$seed" > "$1/note.txt"
  head -c $((1 + RANDOM % 100)) /dev/urandom > "$1/tiny.bin"
  head -c $((1000 + RANDOM % 60000)) /dev/urandom > "$1/small.bin"
  head -c $((500000 + RANDOM * 60)) /dev/urandom > "$1/nested/large.bin"
  printf '{"n": %d}\n' "$RANDOM" > "$1/nested/data.json"
}

declare -A killed_while=()  # the status at the kill -> how many times: shows which steps the run hit
start_daemon
wallet=$(attr wallet "$mnt")
for i in $(seq "$iterations"); do
  name="d$i"
  folder_of_mixed_sizes "$work/src/$name"
  cp -r "$work/src/$name" "$mnt/"  # every file closed when cp returns
  # 50 to 400 ms: before the quiet period (150 ms) ends, during the upload, registration and key push (small
  # files: ~150 to 250 ms), or after them.
  delay_ms=$((50 + RANDOM % 350))
  sleep "$(printf '0.%03d' "$delay_ms")"
  status=$(attr status "$mnt/$name")
  kill_daemon
  killed_while[${status%% *}]=$((${killed_while[${status%% *}]:-0} + 1))
  echo "$name: kill -9 at $delay_ms ms, status '$status'"
  start_daemon
  if ! "$bin" sync --timeout 60 "$mnt" > /dev/null; then
    fail "$name: sync after kill -9 at ${delay_ms} ms (status then: '$status')"
    continue
  fi
  lost=0
  while IFS= read -r -d '' f; do
    cmp -s "$f" "$mnt/$name/${f#"$work/src/$name/"}" || { lost=1; echo "  $name: ${f#"$work/src/"} differs"; }
  done < <(find "$work/src/$name" -type f -print0)
  check "$name: every byte kept after kill -9 at ${delay_ms} ms (status then: '$status')" test $lost -eq 0
  count=$(registrations "$wallet" "$name")
  check "$name: registered once after kill -9 at ${delay_ms} ms (status then: '$status'), not $count times" \
    test "$count" -eq 1
  check "$name: published" test "$(attr status "$mnt/$name")" == published
done
stop_daemon
echo -n "seed $seed; killed while:"
for s in "${!killed_while[@]}"; do echo -n " $s ${killed_while[$s]}"; done
echo
finish
