#!/usr/bin/env bash
# File-system benchmark (issue 3), side by side in one run on the same machine: a plain directory, gocryptfs
# (Debian package) and protectedfs on the local network.
#   1 GiB sequential cp (to closed; for protectedfs also to published), 5,000 files of 4 KiB (files/s),
#   ls -lR and getfattr over them, stat of a cached entry (per second), peak RSS of the daemons.
# Usage: bench/fs.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
mib=${1:-1024}
command -v gocryptfs >/dev/null || { echo "needs gocryptfs: apt-get install gocryptfs" >&2; exit 1; }
work=$(mktemp -d /var/tmp/pfs-fsbench.XXXXXX)
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD=bench
pids=()
cleanup() {
  for m in "$work"/mnt-*; do mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/src/small" "$work/mnt-plain" "$work/mnt-gocryptfs" "$work/mnt-protectedfs" "$work/gocrypt-cipher"
head -c $((mib * 1048576)) /dev/urandom > "$work/src/big.bin"
for i in $(seq 5000); do head -c 4096 /dev/urandom > "$work/src/small/f$i.bin"; done
cat "$work/src/big.bin" > /dev/null
# stat(2) in a tight loop: a shell or Python loop would measure the interpreter, not the file system
printf '#include <sys/stat.h>\n#include <stdlib.h>\nint main(int c,char**v){struct stat s;long n=atol(v[2]);for(long i=0;i<n;i++)stat(v[1],&s);return 0;}\n' > "$work/statloop.c"
cc -O2 -o "$work/statloop" "$work/statloop.c"

# gocryptfs, as its users run it
echo bench > "$work/gocrypt-pass"
gocryptfs -q -init -passfile "$work/gocrypt-pass" "$work/gocrypt-cipher" >/dev/null
gocryptfs -q -nosyslog -passfile "$work/gocrypt-pass" "$work/gocrypt-cipher" "$work/mnt-gocryptfs"
# protectedfs: a protected data per measured copy
"$bin" "$work/mnt-protectedfs" -o publish_delay=500
pfs_pid=$(pgrep -n -f "[p]rotectedfs $work/mnt-protectedfs")
goc_pid=$(pgrep -n -f "[g]ocryptfs.*$work/mnt-gocryptfs")
# Peak RSS from here on: unlocking the wallet (scrypt, as geth's keystores) briefly takes ~128 MiB at start-up.
echo 5 > "/proc/$pfs_pid/clear_refs"
mkdir "$work/mnt-plain/big" "$work/mnt-gocryptfs/big" "$work/mnt-protectedfs/big"
mkdir "$work/mnt-plain/small" "$work/mnt-gocryptfs/small" "$work/mnt-protectedfs/small"

seconds() { local s=$EPOCHREALTIME; "$@"; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}'; }
# Each write measurement starts from the same state: what earlier steps left dirty is on disk (otherwise the disk
# is still busy flushing it while the next file system is measured), and the source is in the page cache.
settle() {
  sync
  [[ $(id -u) -eq 0 ]] && echo 3 > /proc/sys/vm/drop_caches
  cat "$@" > /dev/null
  sleep 1
}
peak_kib() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

printf '%-34s %12s %12s %12s\n' "" plain gocryptfs protectedfs
declare -A big small lsr gfa st
for fs in plain gocryptfs protectedfs; do
  m="$work/mnt-$fs"
  settle "$work/src/big.bin"
  big[$fs]=$(seconds cp "$work/src/big.bin" "$m/big/")
  # protectedfs publishes the copy once it has been quiet: let that finish before the next measurement
  [[ $fs == protectedfs ]] && published=$(seconds sh -c "'$bin' sync '$m' > /dev/null")
  settle "$work/src/small/"*
  small[$fs]=$(seconds cp -r "$work/src/small/." "$m/small/")
  lsr[$fs]=$(seconds sh -c "ls -lR '$m/small' > /dev/null")
  gfa[$fs]=$(seconds sh -c "getfattr -R -d -m - '$m/small' > /dev/null 2>&1")
  st[$fs]=$(seconds "$work/statloop" "$m/small/f1.bin" 1000000)
done
small_published=$(seconds sh -c "'$bin' sync '$work/mnt-protectedfs' > /dev/null")
row() { printf '%-34s %12s %12s %12s\n' "$1" "$2" "$3" "$4"; }
mbs() { awk -v s="$1" -v m="$mib" 'BEGIN{printf "%.0f MB/s", m*1.048576/s}'; }
fps() { awk -v s="$1" 'BEGIN{printf "%.0f/s", 5000/s}'; }
row "cp ${mib} MiB, to closed" "$(mbs ${big[plain]})" "$(mbs ${big[gocryptfs]})" "$(mbs ${big[protectedfs]})"
row "  then published (sync)" "" "" "+${published} s"
row "cp 5,000 × 4 KiB files" "$(fps ${small[plain]})" "$(fps ${small[gocryptfs]})" "$(fps ${small[protectedfs]})"
row "  then published (one version)" "" "" "+${small_published} s"
row "ls -lR over 5,000 files (s)" "${lsr[plain]}" "${lsr[gocryptfs]}" "${lsr[protectedfs]}"
row "getfattr -R -d over 5,000 files (s)" "${gfa[plain]}" "${gfa[gocryptfs]}" "${gfa[protectedfs]}"
row "stat of a cached entry (per second)" "$(awk -v s=${st[plain]} 'BEGIN{printf "%.0f", 1e6/s}')" \
    "$(awk -v s=${st[gocryptfs]} 'BEGIN{printf "%.0f", 1e6/s}')" "$(awk -v s=${st[protectedfs]} 'BEGIN{printf "%.0f", 1e6/s}')"
row "daemon peak RSS" "" "$(( $(peak_kib "$goc_pid") / 1024 )) MiB" "$(( $(peak_kib "$pfs_pid") / 1024 )) MiB"
# The biggest publish: a file of BIG_MIB (default 4096) copied in and published, the daemon's peak RSS meanwhile.
big_mib=${BIG_MIB:-4096}
if ((big_mib > 0)); then
  rm -f "$work/src/big.bin"
  head -c $((big_mib * 1048576)) /dev/urandom > "$work/src/huge.bin"
  mkdir "$work/mnt-protectedfs/huge"
  settle "$work/src/huge.bin"
  echo 5 > "/proc/$pfs_pid/clear_refs"
  huge_closed=$(seconds cp "$work/src/huge.bin" "$work/mnt-protectedfs/huge/")
  huge_published=$(seconds sh -c "'$bin' sync '$work/mnt-protectedfs' --timeout 3600 > /dev/null")
  row "cp ${big_mib} MiB, to closed / +published" "" "" "${huge_closed} s / +${huge_published} s"
  row "  daemon peak RSS meanwhile" "" "" "$(( $(peak_kib "$pfs_pid") / 1024 )) MiB"
fi
awk -v p="${big[protectedfs]}" -v g="${big[gocryptfs]}" 'BEGIN{printf "ratio: protectedfs write throughput / gocryptfs = %.2f (target >= 1)\n", g/p}'
