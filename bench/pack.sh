#!/usr/bin/env bash
# Pack benchmark (issue 2): protectedfs's single pass (zip + AES-256-CBC + SHA-256 checksum + CIDv0) against a
# baseline run in the same session on the same file: `openssl enc -aes-256-cbc` followed by `sha256sum`.
# Prints wall time, throughput and peak RSS of each, and the ratios the targets are stated in:
#   pack ≤ 0.7 × (openssl enc + sha256sum),  pack ≤ 1.25 × openssl enc,  pack peak RSS < 64 MiB at any size.
# Usage: bench/pack.sh [SIZE_MIB ...]   (default: 1024 4096; BENCH_DIR picks the scratch folder, RUNS the repeats)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
[[ -x $bin ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
sizes=("$@"); ((${#sizes[@]})) || sizes=(1024 4096)
runs=${RUNS:-3}
dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/pfs-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# best-of-N wall seconds and the peak RSS (KiB) of that run: "seconds kib"
measure() {
  local best="" rss=""
  for ((i = 0; i < runs; i++)); do
    rm -f "$dir"/out.*
    /usr/bin/time -o "$dir/time.txt" -f "%e %M" "$@" >/dev/null 2>&1
    local line; line=$(tail -1 "$dir/time.txt")
    local t=${line% *} m=${line#* }
    if [[ -z $best ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  echo "$best $rss"
}

printf '%-8s %-34s %8s %10s %10s\n' size step seconds MB/s "peak RSS"
for mib in "${sizes[@]}"; do
  mkdir -p "$dir/in"
  head -c $((mib * 1048576)) /dev/urandom > "$dir/in/data.bin"
  cat "$dir/in/data.bin" > /dev/null  # warm the page cache for every contender alike
  key=$(openssl rand -hex 32); iv=$(openssl rand -hex 16)
  read -r enc enc_rss < <(measure openssl enc -aes-256-cbc -K "$key" -iv "$iv" -in "$dir/in/data.bin" -out "$dir/out.enc")
  openssl enc -aes-256-cbc -K "$key" -iv "$iv" -in "$dir/in/data.bin" -out "$dir/baseline.enc"
  read -r sum sum_rss < <(measure sha256sum "$dir/baseline.enc")
  rm -f "$dir/baseline.enc"
  read -r pack pack_rss < <(measure "$bin" pack "$dir/in" "$dir/out.pfs")
  bytes=$((mib * 1048576))
  row() { printf '%-8s %-34s %8.2f %10.0f %8.1f MiB\n' "${mib}MiB" "$1" "$2" "$(awk "BEGIN{print $bytes/1e6/$2}")" "$(awk "BEGIN{print $3/1024}")"; }
  row "openssl enc -aes-256-cbc" "$enc" "$enc_rss"
  row "sha256sum (of its output)" "$sum" "$sum_rss"
  row "baseline total" "$(awk "BEGIN{print $enc+$sum}")" "$(( enc_rss > sum_rss ? enc_rss : sum_rss ))"
  row "protectedfs pack (zip+aes+sha+cid)" "$pack" "$pack_rss"
  awk -v p="$pack" -v e="$enc" -v s="$sum" -v r="$pack_rss" 'BEGIN{
    printf "         ratios: pack/baseline %.2f (target <= 0.70)  pack/openssl-enc %.2f (target <= 1.25)  RSS %s 64 MiB\n",
      p/(e+s), p/e, (r < 65536 ? "<" : ">=")}'
  rm -rf "$dir/in" "$dir"/out.*
done
