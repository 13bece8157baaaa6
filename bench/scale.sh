#!/usr/bin/env bash
# Scale benchmark (issue 12), protectedfs on the local network (publish_delay=500), a fresh mount per measurement:
#   1. a file of BIG_MIB (10 GiB) against one of BASE_MIB (1 GiB), written the same way (the 1 GiB random source,
#      kept in the page cache, written BIG_MIB/BASE_MIB times into one file through the mount, so no 10 GiB source
#      is stored): MB/s to closed and to published (start of the write → `protectedfs sync` returns), the daemon's
#      RSS sampled every RSS_MS (25) ms from the first write to the return of sync (median / peak; the peak is also the
#      kernel's VmHWM, reset just before; start-up and its wallet scrypt excluded), CPU per GiB.
#      Targets: RSS peak <= 64 MiB, published throughput within 10 % of the 1 GiB figure (ratio >= 0.90).
#      Needs ~2.2 × BIG_MIB free in /var/tmp (staging + the local network's content store): skipped otherwise.
#   2. COUNTS (5000 20000 50000) files of 4 KiB copied (cp -r) into one folder, published as one version
#      (user.protected.versions checked to be "[]"): time to closed, to published (from the start of cp), files/s,
#      and the linearity ratio = time per file at N / time per file at the first count (1 = linear; target <= 1.2,
#      i.e. no faster than linear growth within 20 % of noise), and the marginal cost: published ms per file added
#      since the previous count.
# Usage: bench/scale.sh [--quick]   --quick = BIG_MIB=2048 BASE_MIB=256 COUNTS="2000 5000 10000"
#   env: BIG_MIB (0 skips part 1), BASE_MIB, COUNTS, SYNC_TIMEOUT (900 s per count), RSS_MS, PROTECTEDFS.
#   A publish whose status turns "failed" (or that times out) is reported as NOT PUBLISHED with the reason. Takes ~6–10 min at the defaults on 2 shared cores.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${1:-}" == --quick ]]; then : "${BIG_MIB:=2048}" "${BASE_MIB:=256}" "${COUNTS:=2000 5000 10000}"; elif [[ -n "${1:-}" ]]; then
  echo "usage: bench/scale.sh [--quick]   (env BIG_MIB, BASE_MIB, COUNTS)" >&2; exit 2
fi
big=${BIG_MIB:-10240}; base=${BASE_MIB:-1024}; read -r -a counts <<< "${COUNTS:-5000 20000 50000}"
bench_init scalebench
machine
verdict() { if awk -v x="$1" -v l="$3" -v op="$2" 'BEGIN{exit !((op == ">=") ? x >= l : x <= l)}'; then echo PASS; else echo MISS; fi; }

# 1. The big file
declare -A closed published rss_med rss_pk cpu
one_file() {  # MIB: the source written MIB/BASE times into a fresh mount; sets the arrays above at key MIB
  local mib=$1 d="$work/m$1" t0 c0 times=$(($1 / base))
  pfs_mount "$d/mnt" "$d/data"
  local pid=$mounted_pid
  mkdir "$d/mnt/big"
  settle "$work/src.bin"
  c0=$(cpu_seconds "$pid"); rss_start "$pid"
  t0=$(now)
  for ((i = 0; i < times; i++)); do cat "$work/src.bin"; done > "$d/mnt/big/file.bin"
  closed[$mib]=$(awk -v b=$((mib * 1048576)) -v s="$(since "$t0")" 'BEGIN{printf "%.1f", b/1e6/s}')
  publish_wait "$d/mnt" "$d/mnt/big" 7200 || { echo "the ${mib} MiB file was not published: $publish_error" >&2; exit 1; }
  published[$mib]=$(awk -v b=$((mib * 1048576)) -v s="$(since "$t0")" 'BEGIN{printf "%.1f", b/1e6/s}')
  rss_stop; rss_med[$mib]=$rss_median; rss_pk[$mib]=$rss_peak
  cpu[$mib]=$(awk -v a="$c0" -v b="$(cpu_seconds "$pid")" -v m="$mib" 'BEGIN{printf "%.2f", (b-a)*1024/m}')
  unmount "$d/mnt"
  rm -rf "$d"
}
need=$(( (big * 22 / 10 + base * 2) / 1024 + 1 ))
echo
if ((big == 0)); then
  echo "1. big file: skipped (BIG_MIB=0)"
elif (( $(free_gib /var/tmp) < need )); then
  echo "1. ${big} MiB file: SKIPPED, needs ${need} GiB free in /var/tmp, $(free_gib /var/tmp) GiB free"
else
  head -c $((base * 1048576)) /dev/urandom > "$work/src.bin"
  one_file "$base"
  one_file "$big"
  rm -f "$work/src.bin"
  echo "1. one file (written from a ${base} MiB random source kept in the page cache), fresh mount each:"
  printf '  %-10s %16s %18s %24s %14s\n' size "closed (MB/s)" "published (MB/s)" "RSS median / peak (MiB)" "CPU s/GiB"
  for mib in "$base" "$big"; do
    printf '  %-10s %16s %18s %24s %14s\n' "${mib} MiB" "${closed[$mib]}" "${published[$mib]}" \
      "${rss_med[$mib]} / ${rss_pk[$mib]}" "${cpu[$mib]}"
  done
  r=$(awk -v a="${published[$big]}" -v b="${published[$base]}" 'BEGIN{printf "%.2f", a/b}')
  echo "  ${big} MiB published throughput / ${base} MiB: $r (target >= 0.90): $(verdict "$r" ">=" 0.90)"
  echo "  ${big} MiB RSS peak: ${rss_pk[$big]} MiB (target <= 64): $(verdict "${rss_pk[$big]}" "<=" 64)"
fi

# 2. Many small files in one folder
echo
mkdir -p "$work/src"
for n in "${counts[@]}"; do
  mkdir "$work/src/$n"
  head -c $((n * 4096)) /dev/urandom | (cd "$work/src/$n" && split -b 4096 -a 6 -d - f)
done
echo "2. N files of 4 KiB copied (cp -r) into one folder, published as one version, a fresh mount each:"
printf '  %-8s %12s %14s %16s %18s %10s %12s  %s\n' N "closed (s)" "published (s)" "closed files/s" "published files/s" linearity "ms/file +" "one version; the daemon's open fds after the publish"
first=""; worst=0; prev_t=0; prev_n=0; cp_failed=""
for n in "${counts[@]}"; do
  d="$work/n$n"
  pfs_mount "$d/mnt" "$d/data"
  mkdir "$d/mnt/files"
  settle
  t0=$(now)
  # a cp that fails (e.g. EMFILE: the daemon out of file descriptors) is reported, not fatal
  cp -r "$work/src/$n/." "$d/mnt/files/" 2> "$work/cp.err" || true
  tc=$(since "$t0")
  published_ok=1
  publish_wait "$d/mnt" "$d/mnt/files" "${SYNC_TIMEOUT:-900}" || published_ok=""
  tp=$(since "$t0")
  fds=$(find "/proc/$mounted_pid/fd" -mindepth 1 2>/dev/null | wc -l)
  fd_limit=$(awk '/open files/{print $4}' "/proc/$mounted_pid/limits")
  versions=$(getfattr --absolute-names --only-values -n user.protected.versions "$d/mnt/files" 2>/dev/null || echo "?")
  if [[ "$versions" == "[]" ]]; then one=yes; else one="NO: $versions"; fi
  if [[ -z "$published_ok" ]]; then
    cp_failed=1
    one="NOT PUBLISHED after $(printf '%.0f' "$tp") s: $publish_error"
  fi
  if [[ -s "$work/cp.err" ]]; then
    cp_failed=1
    one="$one; cp FAILED for $(wc -l < "$work/cp.err") files: $(head -1 "$work/cp.err" | sed 's/.*: //')"
  fi
  one="$one; daemon fds $fds (limit $fd_limit)"
  [[ -n "$first" ]] || first="$tp $n"
  lin=$(awk -v t="$tp" -v n="$n" -v f="$first" 'BEGIN{split(f, a, " "); printf "%.2f", (t/n)/(a[1]/a[2])}')
  worst=$(awk -v a="$worst" -v b="$lin" 'BEGIN{print (b > a) ? b : a}')
  marginal=$(awk -v t="$tp" -v n="$n" -v pt="$prev_t" -v pn="$prev_n" 'BEGIN{printf "%.3f", (t-pt)*1000/(n-pn)}')
  prev_t=$tp; prev_n=$n
  printf '  %-8s %12.2f %14.2f %16.0f %18.0f %10s %12s  %s\n' "$n" "$tc" "$tp" \
    "$(awk -v n="$n" -v t="$tc" 'BEGIN{print n/t}')" "$(awk -v n="$n" -v t="$tp" 'BEGIN{print n/t}')" "$lin" "$marginal" "$one"
  unmount "$d/mnt"
  rm -rf "$d" "$work/src/$n"
done
verdict_small=$(verdict "$worst" "<=" 1.2)
[[ -z "$cp_failed" ]] || verdict_small="MISS (some files could not be written or published)"
echo "  linearity = (published time / N) / (the same at ${counts[0]}); worst $worst (target <= 1.2): $verdict_small"
echo "  ms/file + = published ms per file added since the previous N (fixed costs such as the quiet period cancel out)"
