#!/usr/bin/env bash
# Quick data-path benchmark (issue 12): cp SIZE_MIB of random bytes into a protected data on the local network,
# then `protectedfs sync`. Per run, on a fresh mount: MB/s to closed and to published (from the start of cp to the
# return of sync, quiet period included), the daemon's RSS sampled every 50 ms during cp + publish (median / peak)
# and its CPU (user + sys) per GiB for cp + publish. Prints each run and the median of the runs.
# Usage: bench/publish_quick.sh [SIZE_MIB] [RUNS]   (default 1024 3; PROTECTEDFS=binary, PUBLISH_DELAY=ms)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
mib=${1:-1024}
runs=${2:-3}
delay=${PUBLISH_DELAY:-500}
work=$(mktemp -d /var/tmp/pfs-quick.XXXXXX)
export PROTECTEDFS_PASSWORD=bench
mnt="$work/mnt"
sampler=
cleanup() {
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null
  mountpoint -q "$mnt" 2>/dev/null && fusermount3 -u "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"
head -c $((mib * 1048576)) /dev/urandom > "$work/src.bin"
tick=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

printf '%-4s %10s %10s %12s %10s %10s\n' run closed published "cpu s/GiB" "rss med" "rss peak"
results=()
for run in $(seq "$runs"); do
  rm -rf "$work/data"
  export XDG_DATA_HOME="$work/data"
  "$bin" "$mnt" -o publish_delay="$delay"
  pid=$(pgrep -n -f "^$bin $mnt( |$)")
  mkdir "$mnt/big"
  sync
  echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  cat "$work/src.bin" > /dev/null
  sleep 1
  : > "$work/rss"
  (while :; do awk '/VmRSS/{print $2}' "/proc/$pid/status" >> "$work/rss" 2>/dev/null || exit 0; sleep 0.05; done) &
  sampler=$!
  cpu0=$(cpu_ticks "$pid")
  t0=$EPOCHREALTIME
  cp "$work/src.bin" "$mnt/big/"
  t1=$EPOCHREALTIME
  "$bin" sync "$mnt" --timeout 3600 > /dev/null
  t2=$EPOCHREALTIME
  cpu1=$(cpu_ticks "$pid")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=
  fusermount3 -u "$mnt"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  line=$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v m="$mib" -v u="$((cpu1 - cpu0))" -v hz="$tick" \
    -v med="$(median < "$work/rss")" -v peak="$(sort -n "$work/rss" | tail -1)" \
    'BEGIN{printf "%10.0f %10.0f %12.2f %10.1f %10.1f", m*1.048576/(b-a), m*1.048576/(c-a), u/hz/(m/1024), med/1024, peak/1024}')
  printf '%-4s %s\n' "$run" "$line"
  results+=("$line")
done
printf '%-4s' med
for col in 1 2 3 4 5; do
  printf ' %*s' $([[ $col == 3 ]] && echo 12 || echo 10) \
    "$(printf '%s\n' "${results[@]}" | awk -v c=$col '{print $c}' | median)"
done
echo "   (MB/s to closed, MB/s to published, CPU s/GiB, RSS MiB median, RSS MiB peak; ${mib} MiB, publish_delay=${delay})"
