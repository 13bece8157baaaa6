#!/usr/bin/env bash
# Metadata benchmark (issue 3): a mount of N protected data (default 10,000) answers ls -l, stat and getfattr
# from its RocksDB cache, without touching the network store. Side by side in one run with a plain directory tree
# of the same shape (the baseline).
#   1. one mount publishes N protected data of one small field each (time, publishes/s);
#   2. a second mount of the same wallet, with an EMPTY cache, rebuilds the tree from the network (time);
#   3. the local network's directory is then moved away: every answer below comes from the cache;
#   4. ls -l of the root, ls -lR, getfattr -d of every folder, stat of one cached entry in a tight loop (per second).
# Usage: bench/metadata.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
n=${1:-10000}
work=$(mktemp -d /var/tmp/pfs-metabench.XXXXXX)
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD=bench
net="$work/network"
cleanup() {
  [[ -d "$net.away" ]] && mv "$net.away" "$net"
  for m in "$work"/mnt-*; do mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"; done
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/mnt-a" "$work/mnt-b" "$work/plain"
printf '#include <sys/stat.h>\n#include <stdlib.h>\nint main(int c,char**v){struct stat s;long n=atol(v[2]);for(long i=0;i<n;i++)stat(v[1],&s);return 0;}\n' > "$work/statloop.c"
cc -O2 -o "$work/statloop" "$work/statloop.c"
seconds() { local s=$EPOCHREALTIME; "$@" || exit 1; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}'; }
populate() {  # DIR: N folders of one field each
  for ((i = 0; i < n; i++)); do mkdir "$1/d$i" && printf 'value %d\n' "$i" > "$1/d$i/field.txt"; done
}

"$bin" "$work/mnt-a" -o "network=local:$net,cache=$work/cache-a,publish_delay=1000"
t_create=$(seconds populate "$work/mnt-a")
t_publish=$(seconds sh -c "'$bin' sync '$work/mnt-a' --timeout 7200 > /dev/null")
fusermount3 -u "$work/mnt-a"
populate "$work/plain"

"$bin" "$work/mnt-b" -o "network=local:$net,cache=$work/cache-b,sync_interval=3600000"
pid_b=$(pgrep -n -f "[p]rotectedfs $work/mnt-b")
echo 5 > "/proc/$pid_b/clear_refs"  # peak RSS from here on (unlocking the wallet, scrypt, briefly takes ~128 MiB)
start=$EPOCHREALTIME
until [[ $(ls "$work/mnt-b" | wc -l) -ge $n ]]; do
  sleep 0.2
  (( ${EPOCHREALTIME%.*} - ${start%.*} < 600 )) || { echo "the second mount did not show $n protected data in 10 min" >&2; exit 1; }
done
t_adopt=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}')
sleep 1  # the last sizes and attributes land
mv "$net" "$net.away"  # from here on, the network store cannot be reached at all

declare -A ls lsr gfa st
for fs in plain mnt-b; do
  d="$work/$fs"
  ls[$fs]=$(seconds sh -c "ls -l '$d' > /dev/null")
  lsr[$fs]=$(seconds sh -c "ls -lR '$d' > /dev/null")
  gfa[$fs]=$(seconds sh -c "getfattr -R -d -m - '$d' > /dev/null 2>&1")
  st[$fs]=$(seconds "$work/statloop" "$d/d1/$([[ $fs == plain ]] && echo field.txt || echo field)" 500000)
done
rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid_b/status")
ok=$(getfattr --absolute-names --only-values -n user.protected.status "$work/mnt-b/d$((n - 1))")

printf '%s protected data, one field each\n' "$n"
printf '  created through the mount: %6.2f s (%.0f folders+files/s)\n' "$t_create" "$(awk -v t="$t_create" -v n="$n" 'BEGIN{print n/t}')"
printf '  published (sync):          %6.2f s (%.0f versions/s)\n' "$t_publish" "$(awk -v t="$t_publish" -v n="$n" 'BEGIN{print n/t}')"
printf '  second mount, empty cache: %6.2f s to show all %s (%.0f/s)\n' "$t_adopt" "$n" "$(awk -v t="$t_adopt" -v n="$n" 'BEGIN{print n/t}')"
printf '  network store moved away from here on; status of the last one: %s\n\n' "$ok"
printf '%-36s %12s %14s %8s\n' "" plain protectedfs ratio
row() { printf '%-36s %12s %14s %8s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.2f", b/a}')"; }
row "ls -l of the root (s)" "${ls[plain]}" "${ls[mnt-b]}"
row "ls -lR (s)" "${lsr[plain]}" "${lsr[mnt-b]}"
row "getfattr -R -d -m - (s)" "${gfa[plain]}" "${gfa[mnt-b]}"
sp=$(awk -v s="${st[plain]}" 'BEGIN{printf "%.0f", 500000/s}'); sb=$(awk -v s="${st[mnt-b]}" 'BEGIN{printf "%.0f", 500000/s}')
printf '%-36s %12s %14s %8s\n' "stat of a cached entry (per second)" "$sp" "$sb" "$(awk -v a="$sp" -v b="$sb" 'BEGIN{printf "%.2f", b/a}')"
printf 'daemon peak RSS with %s protected data: %s MiB\n' "$n" "$rss"
