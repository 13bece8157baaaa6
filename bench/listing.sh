#!/usr/bin/env bash
# Listing benchmark: N files (default 5,000, in folders of 100 inside one protected data) created through a mount
# that does not publish, then a fresh mount of the same cache (the tree decoded from RocksDB) answers ls -lR.
# Prints: create time, mount time (tree load), ls -lR (best of 5) and getfattr -R -d (best of 3), in seconds.
# Usage: bench/listing.sh [N]   (PROTECTEDFS=path/to/protectedfs to time another build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
n=${1:-5000}
work=$(mktemp -d /var/tmp/pfs-listbench.XXXXXX)
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD=bench
cleanup() {
  mountpoint -q "$work/mnt" 2>/dev/null && fusermount3 -u "$work/mnt"
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/mnt"
seconds() { local s=$EPOCHREALTIME; "$@" > /dev/null 2>&1 || exit 1; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}'; }
best() {  # RUNS CMD...: the fastest of RUNS
  local runs=$1 b=""; shift
  for _ in $(seq "$runs"); do local t; t=$(seconds "$@"); [[ -z "$b" ]] || awk -v t="$t" -v b="$b" 'BEGIN{exit !(t<b)}' && b=$t; done
  echo "$b"
}
mount_it() { "$bin" "$work/mnt" -o "network=local:$work/net,cache=$work/cache,publish_delay=86400000"; }
populate() {
  mkdir "$work/mnt/data"
  for ((i = 0; i < n; i++)); do
    ((i % 100 == 0)) && mkdir "$work/mnt/data/f$((i / 100))"
    printf 'v%d\n' "$i" > "$work/mnt/data/f$((i / 100))/file $i.txt"
  done
}
mount_it
t_create=$(seconds populate)
fusermount3 -u "$work/mnt"; sleep 0.5
t_mount=$(seconds mount_it)
ls -lR "$work/mnt" > /dev/null  # warm the kernel's caches the same way for every build
t_lsr=$(best 5 ls -lR "$work/mnt")
t_gfa=$(best 3 getfattr -R -d -m - "$work/mnt")
echo "files=$n create=${t_create}s mount=${t_mount}s ls_lR=${t_lsr}s getfattr_R=${t_gfa}s"
