# shellcheck shell=bash
# Shared by bench/fs.sh, bench/scale.sh and bench/iexec.sh (sourced): a scratch folder under /var/tmp, daemons run
# in the foreground as background jobs (so their PIDs are known), and a trap that unmounts, stops and removes
# everything they started, on success, failure or interruption.
#   bench_init NAME        scratch folder $work, the C helper $helper (bench/helper.c), the cleanup trap
#   pfs_mount MNT DATA [-o options]   protectedfs on MNT, state in DATA (XDG_DATA_HOME); its PID in $mounted_pid
#   goc_mount CIPHER MNT   gocryptfs (initialised on first use) on MNT; PID in $mounted_pid
#   unmount MNT            unmount and wait for its daemon
#   settle FILE...         what is dirty goes to disk, caches dropped (root), FILE... read into the page cache
#   rss_start PID / rss_stop   VmRSS sampled every ${RSS_MS:-25} ms; rss_stop sets rss_median rss_peak (MiB)
#   cpu_seconds PID        user + sys seconds of PID so far (/proc/PID/stat)
#   median V...            the median (mean of the two middle values for an even count)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${PROTECTEDFS:-$root/build/src/protectedfs}
clk_tck=$(getconf CLK_TCK)
declare -A daemon_of=()  # mount point -> daemon PID
sampler_pid=""
extra_cleanup=()  # commands the scripts add (e.g. stopping the peers)

bench_cleanup() {
  set +e; trap - ERR  # every step runs, whatever failed before it
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null
  [[ -n "${phase_pid:-}" ]] && kill "$phase_pid" 2>/dev/null
  [[ -n "${perf_pid:-}" ]] && kill -TERM "$perf_pid" 2>/dev/null
  for m in "${!daemon_of[@]}"; do
    if mountpoint -q "$m" 2>/dev/null; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; fi
  done
  sleep 0.2
  for pid in "${daemon_of[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  local c
  for c in "${extra_cleanup[@]}"; do eval "$c"; done
  [[ -n "${work:-}" && -d "$work" ]] && rm -rf "$work"
}

bench_init() {
  [[ -x "$bin" ]] || { echo "build first: scripts/build.sh protectedfs" >&2; exit 1; }
  work=$(mktemp -d "/var/tmp/pfs-$1.XXXXXX")
  trap bench_cleanup EXIT
  set -E  # the ERR trap below in functions too
  trap 'echo "${0##*/}: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
  trap 'exit 130' INT TERM
  helper="$work/helper"
  cc -O2 -o "$helper" "$root/bench/helper.c"
  cold_ok=""; [[ $(id -u) -eq 0 ]] && cold_ok=1
  export PROTECTEDFS_PASSWORD=bench
}

wait_mounted() {  # MNT PID LOG
  for _ in $(seq 300); do
    mountpoint -q "$1" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "no mount on $1:" >&2; tail -5 "$3" >&2; exit 1
}

pfs_mount() {  # MNT DATA_DIR [OPTIONS]
  mkdir -p "$1" "$2"
  XDG_DATA_HOME="$2" "$bin" "$1" -f -o "publish_delay=${PUBLISH_DELAY:-500}${3:+,$3}" >> "$work/protectedfs.log" 2>&1 &
  mounted_pid=$!
  daemon_of[$1]=$mounted_pid
  wait_mounted "$1" "$mounted_pid" "$work/protectedfs.log"
}

goc_mount() {  # CIPHER MNT
  mkdir -p "$1" "$2"
  [[ -f "$work/gocryptfs.pass" ]] || echo bench > "$work/gocryptfs.pass"
  [[ -f "$1/gocryptfs.conf" ]] || gocryptfs -q -init -passfile "$work/gocryptfs.pass" "$1" > /dev/null
  gocryptfs -q -fg -nosyslog -passfile "$work/gocryptfs.pass" "$1" "$2" >> "$work/gocryptfs.log" 2>&1 &
  mounted_pid=$!
  daemon_of[$2]=$mounted_pid
  wait_mounted "$2" "$mounted_pid" "$work/gocryptfs.log"
}

unmount() {  # MNT
  local pid=${daemon_of[$1]:-}
  fusermount3 -u "$1"
  [[ -n "$pid" ]] && { wait "$pid" 2>/dev/null || true; }
  unset "daemon_of[$1]"
  return 0
}

drop_caches() { sync; [[ -n "$cold_ok" ]] && echo 3 > /proc/sys/vm/drop_caches; return 0; }
settle() {  # FILE...: the disk idle, the sources in the page cache, for every contender alike
  drop_caches
  (($#)) && cat "$@" > /dev/null
  sleep 0.5
}

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}'; }  # seconds since START

cpu_seconds() {  # PID: utime + stime (fields 14, 15; counted after the ")" closing the command name)
  local stat; stat=$(< "/proc/$1/stat")
  awk -v t="$clk_tck" '{print ($12 + $13) / t}' <<< "${stat##*) }"
}

rss_start() {  # PID: the peak (VmHWM) reset, a sampler of VmRSS in the background
  echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true
  rss_pid=$1
  "$helper" rss "$1" "${RSS_MS:-25}" > "$work/rss.samples" &
  sampler_pid=$!
}
rss_stop() {  # sets rss_median, rss_peak (MiB): the peak is the larger of the samples' and the kernel's VmHWM
  local hwm; hwm=$(awk '/VmHWM/{print $2}' "/proc/$rss_pid/status" 2>/dev/null || true)  # gone: samples only
  kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""
  local samples; mapfile -t samples < "$work/rss.samples"
  rss_median=$(median "${samples[@]}")
  rss_median=$(awk -v k="$rss_median" 'BEGIN{printf "%.1f", k/1024}')
  rss_peak=$(sort -n "$work/rss.samples" | tail -1)
  [[ -n "$hwm" && "$hwm" -gt "${rss_peak:-0}" ]] && rss_peak=$hwm
  rss_peak=$(awk -v k="$rss_peak" 'BEGIN{printf "%.1f", k/1024}')
  # shellcheck disable=SC2034  # read by the scripts
  rss_samples=$(wc -l < "$work/rss.samples")
}

median() {
  (($#)) || { echo ""; return; }
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}

machine() {  # one line: CPU, cores, kernel, load
  local cpu; cpu=$(awk -F': *' '/model name/{print $2; exit}' /proc/cpuinfo)
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "protectedfs: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo +changes), built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'))"
}

free_gib() { df -P --block-size=1G "$1" | awk 'NR==2{print $4}'; }

# Where a publish's time goes, from the folder's user.protected.status polled every 20 ms in the background
# ("pending in N ms", "publishing STEP N%", "published"): phase_start DIR (at the start of the write), phase_mark
# when the write returns, phase_stop prints "write S, quiet S, plan S, upload S, register S, secret S, ..." (seconds;
# quiet = from the end of the write to the first publish step).
phase_start() {
  phase_t0=$EPOCHREALTIME
  "$helper" watch "$1" user.protected.status 20 > "$work/phases" &
  phase_pid=$!
}
phase_mark() { phase_written=$(since "$phase_t0"); }
phase_stop() {  # waits for the watcher to see "published" (at most 5 s), then prints the phases
  local end; end=$(since "$phase_t0")
  for _ in $(seq 250); do kill -0 "$phase_pid" 2>/dev/null || break; sleep 0.02; done
  kill "$phase_pid" 2>/dev/null || true; wait "$phase_pid" 2>/dev/null || true; phase_pid=""
  awk -v w="$phase_written" -v end="$end" -v t0="$phase_t0" '
    { t[NR] = $1 - t0; s[NR] = $2 }
    END {
      printf "write %.2f s", w
      first = 0
      for (i = 1; i <= NR; i++) if (s[i] != "pending" && s[i] != "draft" && s[i] != "" && t[i] >= w) { first = i; break }
      if (!first) { printf ", (no publish step seen) sync returned at %.2f s\n", end; exit }
      printf ", quiet %.2f s", t[first] - w
      for (i = first; i <= NR && s[i] != "published"; i++) printf ", %s %.2f s", s[i], ((i < NR) ? t[i+1] : end) - t[i]
      printf "; published at %.2f s\n", (s[NR] == "published") ? t[NR] : end
    }' "$work/phases"
}

# PROFILE=1: where the time goes inside the daemon. perf cannot attach to a running process on this kernel (it
# records nothing), so pfs_mount_profiled starts the daemon under `perf record` with its events disabled, and
# profile_start / profile_pause enable them around the measured work (perf's control FIFO); profile_report, after
# the unmount, prints the top symbols by self time.
pfs_mount_profiled() {  # MNT DATA_DIR [OPTIONS]: as pfs_mount, under perf when PROFILE=1
  if [[ "${PROFILE:-}" != 1 ]] || ! command -v perf > /dev/null; then pfs_mount "$@"; return; fi
  mkdir -p "$1" "$2"
  rm -f "$work/perf.ctl" "$work/perf.ack"; mkfifo "$work/perf.ctl" "$work/perf.ack"
  XDG_DATA_HOME="$2" perf record -q -F 999 -g -D -1 --control "fifo:$work/perf.ctl,$work/perf.ack" \
    -o "$work/perf.data" -- "$bin" "$1" -f -o "publish_delay=${PUBLISH_DELAY:-500}${3:+,$3}" \
    >> "$work/protectedfs.log" 2>&1 &
  perf_pid=$!
  for _ in $(seq 100); do mounted_pid=$(pgrep -P "$perf_pid" || true); [[ -n "$mounted_pid" ]] && break; sleep 0.05; done
  daemon_of[$1]=$mounted_pid
  wait_mounted "$1" "$mounted_pid" "$work/protectedfs.log"
  exec {perf_ctl}> "$work/perf.ctl" {perf_ack}< "$work/perf.ack"
}
perf_command() { [[ -n "${perf_pid:-}" ]] || return 0; echo "$1" >&"$perf_ctl"; read -r -t 5 -u "$perf_ack" _ || true; }
profile_start() { perf_command enable; }
profile_pause() { perf_command disable; }
profile_report() {  # TITLE (after the profiled daemon is unmounted)
  [[ -n "${perf_pid:-}" ]] || return 0
  exec {perf_ctl}>&- {perf_ack}<&-
  wait "$perf_pid" 2>/dev/null || true; perf_pid=""
  echo "perf profile of the daemon, $1 (self time; cpu-clock samples), by library, then by symbol:"
  perf report -i "$work/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -8 | sed 's/ *- *- *$//; s/^/  /' || true
  perf report -i "$work/perf.data" --no-children -g none --sort dso,symbol --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -12 | sed 's/ *- *- *$//; s/^/  /' || true
  rm -f "$work/perf.data" "$work/perf.ctl" "$work/perf.ack"
}

# publish_wait MNT DIR [TIMEOUT]: `protectedfs sync` in the foreground (so its return is timed exactly), ended early
# by a watcher when DIR's status turns "failed…" (a publish that fails, e.g. out of file descriptors, is retried
# later by the daemon and would hold sync for its whole timeout). Returns 1 with the reason in publish_error.
publish_wait() {
  publish_error=""
  "$bin" sync "$1" --timeout "${3:-1800}" > /dev/null 2>&1 &
  local sync_pid=$! rc=0
  (
    while kill -0 "$sync_pid" 2>/dev/null; do
      s=$(getfattr --absolute-names --only-values -n user.protected.status "$2" 2>/dev/null || true)
      if [[ "$s" == failed* ]]; then echo "$s" > "$work/publish.err"; kill "$sync_pid" 2>/dev/null; break; fi
      sleep 0.5
    done
  ) &
  local watch_pid=$!
  wait "$sync_pid" || rc=$?
  kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true
  if [[ -s "$work/publish.err" ]]; then publish_error=$(< "$work/publish.err"); rm -f "$work/publish.err"; return 1; fi
  # shellcheck disable=SC2034  # read by the scripts
  if ((rc != 0)); then publish_error="protectedfs sync exited with $rc (timeout ${3:-1800} s?)"; return 1; fi
  return 0
}
