#!/usr/bin/env bash
# Cold metadata benchmark (issue 12): N files of 4 KiB (default 5,000) in one protected data, published, then for
# each of RUNS runs (default 3): unmount, drop the page cache (root only), mount again and time
#   - the mount (the tree decoded from the metadata cache: wallet unlock included),
#   - the first `ls -lR` of the protected data on that fresh mount (no entry or attribute in the kernel's caches,
#     the daemon's RocksDB pages dropped: "cold"),
#   - getxattr(2) of user.protected.status (the data folder) and user.protected.key (a field) in a tight loop.
# Prints each run and the medians.
# Usage: bench/metadata_cold.sh [N] [RUNS]   (PROTECTEDFS=path/to/protectedfs to time another build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
n=${1:-5000}
runs=${2:-3}
work=$(mktemp -d /var/tmp/pfs-metacold.XXXXXX)
export XDG_DATA_HOME="$work/data" PROTECTEDFS_PASSWORD=bench
mnt="$work/mnt"
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && fusermount3 -u "$mnt"
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt" "$work/src"
for ((i = 1; i <= n; i++)); do head -c 4096 /dev/urandom > "$work/src/f$i.bin"; done
# getxattr(2) in a tight loop: a shell loop would measure the interpreter, not the file system
cat > "$work/xattrloop.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>
int main(int c, char** v) {
  char buf[65536];
  long n = atol(v[3]);
  for (long i = 0; i < n; i++)
    if (getxattr(v[1], v[2], buf, sizeof buf) < 0) { perror(v[2]); return 1; }
  return 0;
}
EOF
cc -O2 -o "$work/xattrloop" "$work/xattrloop.c"
seconds() { local s=$EPOCHREALTIME; "$@" > /dev/null || exit 1; awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
drop() { sync; [[ $(id -u) -eq 0 ]] && echo 3 > /proc/sys/vm/drop_caches; true; }

"$bin" "$mnt" -o publish_delay=500
mkdir "$mnt/small"
t_cp=$(seconds cp -r "$work/src/." "$mnt/small/")
t_pub=$(seconds sh -c "'$bin' sync '$mnt'")
fusermount3 -u "$mnt"
printf 'cp %d files: %s s (%.0f/s); published +%s s (%.0f/s from the start of cp)\n' "$n" "$t_cp" \
  "$(awk -v t="$t_cp" -v n="$n" 'BEGIN{print n/t}')" "$t_pub" "$(awk -v a="$t_cp" -v b="$t_pub" -v n="$n" 'BEGIN{print n/(a+b)}')"
xn=200000
declare -a mounts lsrs gst gkey
for ((r = 0; r < runs; r++)); do
  sleep 0.3
  drop
  mounts+=("$(seconds "$bin" "$mnt" -o publish_delay=500)")
  lsrs+=("$(seconds ls -lR "$mnt/small")")
  gst+=("$(awk -v t="$(seconds "$work/xattrloop" "$mnt/small" user.protected.status $xn)" -v n=$xn 'BEGIN{printf "%.0f", n/t}')")
  gkey+=("$(awk -v t="$(seconds "$work/xattrloop" "$mnt/small/f1.bin" user.protected.key $xn)" -v n=$xn 'BEGIN{printf "%.0f", n/t}')")
  printf 'run %d: mount %s s, cold ls -lR %s s, getxattr status %s/s, key %s/s\n' "$r" "${mounts[r]}" "${lsrs[r]}" \
    "${gst[r]}" "${gkey[r]}"
  fusermount3 -u "$mnt"
done
printf 'median: mount %s s, cold ls -lR %s s, getxattr status %s/s, key %s/s\n' "$(median "${mounts[@]}")" \
  "$(median "${lsrs[@]}")" "$(median "${gst[@]}")" "$(median "${gkey[@]}")"
