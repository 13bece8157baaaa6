#!/usr/bin/env bash
# iExec profile benchmark (issue 12): protectedfs publishing to the local iExec peers (tests/peers: anvil with PoCo
# and a DataProtector, js-ipfs, SMS and market stand-ins, started here in the scratch folder on free loopback ports
# and always stopped on exit), mounted with the iExec profile "peers" as the mount tests "(iexec peers)" mount it
# (a fresh key funded on the chain), against iExec's JS SDK protect pipeline on the same machine and peers
# (bench/sdk_protect.mjs: DataProtector's protectData = schema + zip + AES-256-CBC + checksum + IPFS add and gateway
# check + createDatasetWithSchema + the key pushed to the SMS).
#   protectedfs: cp of a SIZE_MIB file → closed, → published (`protectedfs sync` returns, counted from the start of
#     cp, publish_delay=500), the daemon's RSS (sampled every 25 ms after start-up, median / peak) and CPU per GiB,
#     and where the time goes: the phases read from user.protected.status every 20 ms (write, quiet period, plan,
#     upload = pack + IPFS add, register = the chain, secret = the SMS), PROFILE=1 adds a perf profile of the daemon.
#   SDK: a SDK_MIB file read into memory and protected; time of each of its steps (its onStatusUpdate), MB/s, RSS of
#     the node process (sampled, median / peak) and peak / file size.
#   Ratios: protectedfs published MB/s / SDK MB/s, SDK peak RSS / protectedfs peak RSS.
# Usage: bench/iexec.sh [--quick]   --quick = SIZE_MIB=256 SDK_MIB=64
#   env: SIZE_MIB (1024), SDK_MIB (256: the SDK holds ~10 × the file in memory and runs at ~5 MB/s; SDK_MIB=1024
#   measures it at the same size in ~4–5 min and ~10 GiB of memory), PROFILE=1, RSS_MS, PROTECTEDFS.
# Needs the peers' and the SDK's npm packages: scripts/install-deps.sh --bench. Takes ~4–7 min at the defaults (the
# SDK's 256 MiB alone 1–4 min; --quick ~1 min).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
if [[ "${1:-}" == --quick ]]; then : "${SIZE_MIB:=256}" "${SDK_MIB:=64}"; elif [[ -n "${1:-}" ]]; then
  echo "usage: bench/iexec.sh [--quick]   (env SIZE_MIB, SDK_MIB, PROFILE=1)" >&2; exit 2
fi
mib=${SIZE_MIB:-1024}; sdk_mib=${SDK_MIB:-256}
[[ -d "$root/tests/interop/node_modules/@iexec/dataprotector" ]] ||
  { echo "needs iExec's SDK: scripts/install-deps.sh --bench" >&2; exit 1; }
need=$(( (mib * 4 + sdk_mib * 3) / 1024 + 2 ))
(( $(free_gib /var/tmp) >= need )) || { echo "needs ${need} GiB free in /var/tmp" >&2; exit 1; }
bench_init iexecbench
machine

# The peers, stopped by the cleanup whatever happens (after the mount is gone)
peers="$work/peers"
extra_cleanup+=("'$root/tests/peers/stop.sh' '$peers' > /dev/null 2>&1")
t0=$(now)
"$root/tests/peers/start.sh" "$peers" > "$work/peers-start.log" 2>&1 || { cat "$work/peers-start.log" >&2; exit 1; }
echo "peers started in $(since "$t0") s"
set -a; source "$peers/peers.env"; set +a
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME/protectedfs"
cp "$peers/protectedfs.toml" "$XDG_CONFIG_HOME/protectedfs/config.toml"
# a fresh wallet funded on the chain, as tests/mount/lib.sh makes one
openssl rand -hex 32 > "$work/owner.key"
address=$(XDG_DATA_HOME="$work/data" "$bin" wallet import "$work/owner.key" --wallet "$work/wallet.json" | awk '/^address/{print $2}')
rm -f "$work/owner.key"
curl -sf -X POST -H 'Content-Type: application/json' "$PFS_RPC" > /dev/null \
  --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_setBalance\",\"params\":[\"$address\",\"0x56BC75E2D63100000\"]}"

head -c $((mib * 1048576)) /dev/urandom > "$work/big.bin"
pfs_mount_profiled "$work/mnt" "$work/data" "network=peers,wallet=$work/wallet.json"
pid=$mounted_pid
mkdir "$work/mnt/big"
settle "$work/big.bin"
ipfs_pid=$(cat "$peers/pids/ipfs.pid" 2>/dev/null || true)
ipfs0=$(cpu_seconds "$ipfs_pid" 2>/dev/null || echo "")
c0=$(cpu_seconds "$pid"); rss_start "$pid"; profile_start
phase_start "$work/mnt/big"
t0=$(now)
cp "$work/big.bin" "$work/mnt/big/"
closed=$(since "$t0"); phase_mark
"$bin" sync "$work/mnt" --timeout 3600 > /dev/null
published=$(since "$t0")
rss_stop; pfs_med=$rss_median; pfs_peak=$rss_peak
ipfs_cpu="?"
[[ -n "$ipfs0" ]] && ipfs_cpu=$(awk -v a="$ipfs0" -v b="$(cpu_seconds "$ipfs_pid")" 'BEGIN{printf "%.1f", b-a}')
cpu=$(awk -v a="$c0" -v b="$(cpu_seconds "$pid")" -v m="$mib" 'BEGIN{printf "%.2f", (b-a)*1024/m}')
phase_stop > "$work/phases.txt"
status=$(getfattr --absolute-names --only-values -n user.protected.multiaddr "$work/mnt/big" 2>/dev/null || echo "?")
profile_pause
unmount "$work/mnt"
profile_report "cp + publish to the peers" > "$work/profile.txt"
rm -f "$work/big.bin"
pfs_mbs=$(awk -v b=$((mib * 1048576)) -v s="$published" 'BEGIN{printf "%.1f", b/1e6/s}')

# iExec's SDK on the same peers
head -c $((sdk_mib * 1048576)) /dev/urandom > "$work/sdk.bin"
settle "$work/sdk.bin"
node "$root/bench/sdk_protect.mjs" "$peers/peers.env" "$work/sdk.bin" > "$work/sdk.out" 2> "$work/sdk.err" &
node_pid=$!
rss_start "$node_pid"
wait "$node_pid" || { echo "the SDK's protectData failed:" >&2; tail -20 "$work/sdk.err" >&2; exit 1; }
rss_stop; sdk_med=$rss_median
sdk_peak=$(awk -v s="$rss_peak" '/^maxrss/{m = $2/1024} END{printf "%.1f", (m > s) ? m : s}' "$work/sdk.out")
rm -f "$work/sdk.bin"
sdk_total=$(awk '/^total/{print $2}' "$work/sdk.out")
sdk_mbs=$(awk -v b=$((sdk_mib * 1048576)) -v s="$sdk_total" 'BEGIN{printf "%.1f", b/1e6/s}')

echo
echo "protectedfs, iExec profile on the local peers (js-ipfs, anvil, SMS), one ${mib} MiB file, publish_delay=500:"
printf '  cp -> closed        %8.2f s  %8.1f MB/s\n' "$closed" "$(awk -v b=$((mib * 1048576)) -v s="$closed" 'BEGIN{print b/1e6/s}')"
printf '  cp -> published     %8.2f s  %8.1f MB/s   (published at %s)\n' "$published" "$pfs_mbs" "$status"
printf '  daemon RSS          %s / %s MiB (median / peak)   CPU %s s per GiB (user + sys)\n' "$pfs_med" "$pfs_peak" "$cpu"
echo "  where the time goes: $(cat "$work/phases.txt")"
echo "  js-ipfs (the IPFS peer) used ${ipfs_cpu} s of CPU (user + sys) meanwhile, the daemon $(awk -v c="$cpu" -v m="$mib" 'BEGIN{printf "%.1f", c*m/1024}') s"
cat "$work/profile.txt"
echo
echo "iExec's JS SDK protectData (@iexec/dataprotector, tests/interop's pinned version), one ${sdk_mib} MiB file:"
awk '/^step/ && $3 > 0.0005 {printf "  %-24s %8.2f s\n", $2, $3}' "$work/sdk.out"
awk '/^read/{printf "  %-24s %8.2f s  (before protectData: the file into memory)\n", "file read", $2}' "$work/sdk.out"
printf '  %-24s %8.2f s  %8.1f MB/s\n' total "$sdk_total" "$sdk_mbs"
printf '  node RSS                 %s / %s MiB (median / peak) = %s x the file at peak\n' "$sdk_med" "$sdk_peak" \
  "$(awk -v p="$sdk_peak" -v m="$sdk_mib" 'BEGIN{printf "%.1f", p/m}')"
echo
awk -v p="$pfs_mbs" -v s="$sdk_mbs" -v pr="$pfs_peak" -v sr="$sdk_peak" -v m="$mib" -v sm="$sdk_mib" 'BEGIN{
  printf "ratio: protectedfs publish %.1f MB/s (%d MiB) / SDK %.1f MB/s (%d MiB) = %.1f x faster\n", p, m, s, sm, p/s
  printf "ratio: SDK peak RSS %.0f MiB / protectedfs peak RSS %.0f MiB = %.1f x\n", sr, pr, sr/pr }'
