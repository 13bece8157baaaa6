#!/usr/bin/env bash
# A full disk is survivable (issue 9): the state directory (XDG_DATA_HOME: the cache, staged bytes, daemon.log) on a
# 64 MiB tmpfs that the test fills. A write that does not fit fails with ENOSPC; the daemon stays up; what is
# published reads back intact; unmounting while full exits cleanly (RocksDB used to abort it); mounting while full
# works, read-only, and says why; once space is freed the pending publish completes by itself. Needs root (mount).
source "$(dirname "$0")/lib.sh"

small="$work/small"
mkdir -p "$small"
mount -t tmpfs -o size=64m tmpfs "$small" || { echo "cannot mount a tmpfs (root needed): skipped"; exit 77; }
cleanup_small_disk() {  # the daemons first (they hold files on it), then the tmpfs, then the rest
  for m in "${!daemons[@]}" "$mnt"; do fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  umount "$small" 2>/dev/null || umount -l "$small"
  cleanup
}
trap cleanup_small_disk EXIT
export XDG_DATA_HOME="$small/data"
mkdir -p "$XDG_DATA_HOME"
free_kib() { df --output=avail -k "$small" | tail -1 | tr -d ' '; }
fill_disk() { head -c 100M /dev/zero > "$small/filler" 2>/dev/null; sync; }
storage() { getfattr --absolute-names --only-values -n user.protected.storage "$mnt" 2>/dev/null; }
no_abort() { ! grep -qE "Assertion|Aborted|terminate called" "$work/daemon.log"; }
published_intact() {  # every file published before the disk filled reads back byte for byte
  local f
  for f in email.txt report.pdf scans/raw.bin scans/chest.png; do cmp -s "$src/$f" "$mnt/medical/$f" || return 1; done
}

src=$(medical_folder)
head -c 1000000 /dev/urandom > "$work/big.bin"
DELAY_MS=2500 start_daemon
used=$(( 64 * 1024 - $(free_kib) ))
check "the mount reserves little on the disk (${used} KiB used, RocksDB used to fallocate ~55 MiB)" test "$used" -lt 8192
check "storage ok" test "$(storage)" == ok
cp -r "$src" "$mnt/"
wait_published "$mnt/medical" 30; check "published before the disk fills" test $? -eq 0

# A change whose publish is due in 2.5 s, then the disk fills up.
echo "written just before the disk filled" > "$mnt/medical/notes.txt"
fill_disk
check "the disk is full" test "$(free_kib)" -eq 0
# A write that does not fit: the staged bytes of a new file (ENOSPC at write or close, as cp reports it).
refuses "a file that does not fit" "No space left on device" cp "$work/big.bin" "$mnt/medical/big.bin"
# A metadata write that does not fit (32 KiB in one tree record): the cache becomes read-only and says why.
refuses "an attribute that does not fit" "No space left on device" \
  setfattr -n user.note -v "0x$(head -c 32768 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" "$mnt/medical/email.txt"
check "storage says why" bash -c "[[ '$(storage)' == 'read-only: no space left'* ]]"
check "status says why" bash -c "'$bin' status '$mnt' | grep -q '^storage: read-only: no space left'"
check "the daemon stays up" kill -0 "${daemons[$mnt]}"
check "published bytes read back intact" published_intact
sleep 3  # past the quiet period: the publish is tried and cannot be journaled
check "the change is not published while the disk is full" test "$(attr status "$mnt/medical")" != published

# Unmount while full: a clean exit (the daemon used to abort in RocksDB's WAL sync, exit 134).
pid=${daemons[$mnt]}
fusermount3 -u "$mnt"; wait "$pid"; rc=$?; unset "daemons[$mnt]"
check "unmount while full exits 0 (got $rc)" test "$rc" -eq 0
check "no abort in the daemon" no_abort

# Mount while full: it comes up read-only, says why, and what is published reads back.
DELAY_MS=300 start_daemon
check "mount while full: storage says why" bash -c "[[ '$(storage)' == 'read-only: no space left'* ]]"
check "mount while full: published bytes intact" published_intact
check "mount while full: the change is still there" test "$(cat "$mnt/medical/notes.txt")" == "written just before the disk filled"
# (Other names than big.bin: the failed create above may leave a 0-byte node behind, issue 9 item 8, fixed apart.)
refuses "mount while full: a write" "No space left on device" cp "$work/big.bin" "$mnt/medical/big2.bin"

# Space back: the pending publish completes by itself, and writes work again.
rm -f "$small/filler"
wait_published "$mnt/medical" 40; check "the pending publish completes once space is freed" test $? -eq 0
check "the published schema has the change" bash -c "getfattr --absolute-names --only-values -n user.protected.schema '$mnt/medical' | grep -q notes"
check "storage ok again" test "$(storage)" == ok
check "a write works again" cp "$work/big.bin" "$mnt/medical/big3.bin"
check "and reads back" cmp -s "$work/big.bin" "$mnt/medical/big3.bin"
check "published bytes still intact" published_intact
check "the daemon stayed up" kill -0 "${daemons[$mnt]}"
check "no abort in the daemon" no_abort
finish
