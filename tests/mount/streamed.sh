#!/usr/bin/env bash
# Large fields zipped while they are written (issue 12, publish/streaming_contents.hpp): the version published from
# a stream reads back, through a mount with an empty cache (the published zip alone), as the bytes that were written;
# so does one whose stream an overwrite or a truncate broke mid-copy, and one cut by kill -9 mid-copy. No upload is
# left behind in the content store, and each publish registers one version.
source "$(dirname "$0")/lib.sh"

mib=24  # past the 16 MiB from which a field is streamed
a="$work/a"
fresh=0
reads_back() {  # NAME EXPECTED: the published field NAME of data "big", read through a new mount with an empty cache
  fresh=$((fresh + 1))
  local m="$work/fresh$fresh"
  mount_at "$m" "cache=$work/cache-fresh$fresh"
  wait_for 10 test -f "$m/big/$1" && cmp -s "$m/big/$1" "$2"
  local rc=$?
  unmount_at "$m"
  return $rc
}
no_uploads_left() { test -z "$(find "$net/content" -name '.upload-*' 2>/dev/null)"; }

mount_at "$a" "cache=$work/cache-a"
mkdir "$a/big"
head -c $((mib << 20)) /dev/urandom > "$work/clip.bin"

# 1. Copied in order: published from its stream.
cp "$work/clip.bin" "$a/big/clip.bin"
wait_published "$a/big"; check "published after cp" test $? -eq 0
check "published from its stream" test "$(grep -c '"big": .* zipped and encrypted while written' "$work/daemon.log")" -eq 1
check "cmp through this mount" cmp -s "$a/big/clip.bin" "$work/clip.bin"
check "schema: one binary field" test "$(attr schema "$a/big")" == '{"clip":"application/octet-stream"}'
check "one registration" test "$(registrations "$(attr owner "$a/big")" big)" -eq 1
unmount_at "$a"
check "no upload left in the store" no_uploads_left
check "the published zip reads back as written" reads_back clip "$work/clip.bin"

# 2. Rewritten in place while it is copied in: the stream breaks, the version is still the bytes.
mount_at "$a" "cache=$work/cache-a"
cp "$work/clip.bin" "$work/edited.bin"
printf 'EDITED AT 1 MIB' | dd of="$work/edited.bin" bs=1 seek=$((1 << 20)) conv=notrunc status=none
dd if="$work/clip.bin" of="$a/big/clip.bin" bs=1M count=20 status=none
printf 'EDITED AT 1 MIB' | dd of="$a/big/clip.bin" bs=1 seek=$((1 << 20)) conv=notrunc status=none
dd if="$work/clip.bin" of="$a/big/clip.bin" bs=1M skip=20 seek=20 conv=notrunc status=none
check "the file is the edited bytes" cmp -s "$a/big/clip.bin" "$work/edited.bin"
wait_published "$a/big"; check "published after the edit" test $? -eq 0
check "two registrations" test "$(registrations "$(attr owner "$a/big")" big)" -eq 2

# 3. Truncated below what the stream read, then written on: the same.
head -c $((2 << 20)) "$work/edited.bin" > "$work/cut.bin"
head -c $((22 << 20)) /dev/urandom >> "$work/cut.bin"
truncate -s $((20 << 20)) "$a/big/clip.bin"
truncate -s $((2 << 20)) "$a/big/clip.bin"
dd if="$work/cut.bin" of="$a/big/clip.bin" bs=1M skip=2 seek=2 conv=notrunc status=none
check "the file is the cut bytes" cmp -s "$a/big/clip.bin" "$work/cut.bin"
wait_published "$a/big"; check "published after the truncate" test $? -eq 0
unmount_at "$a"
check "no upload left after broken streams" no_uploads_left
check "the edited and cut version reads back" reads_back clip "$work/cut.bin"

# 4. kill -9 in the middle of a copy: the bytes written before the crash publish after the restart.
mount_at "$a" "cache=$work/cache-a"
dd if="$work/clip.bin" of="$a/big/second.bin" bs=1M count=18 conv=fsync status=none
kill_at "$a"
mount_at "$a" "cache=$work/cache-a"
head -c $((18 << 20)) "$work/clip.bin" > "$work/second.bin"
check "what was written survived" cmp -s "$a/big/second.bin" "$work/second.bin"
wait_published "$a/big"; check "published after the crash" test $? -eq 0
unmount_at "$a"
check "no upload left after the crash" no_uploads_left
check "both fields read back" reads_back second "$work/second.bin"
finish
