#!/usr/bin/env bash
# Several daemons of several wallets on one local network at the same time (SPEC.md §6): two mounts of two wallets
# copy in concurrently and each publishes its own data without corrupting the other's; each root shows only what
# its wallet owns. Also mount(8) and fstab through mount.protectedfs, and umount.
source "$(dirname "$0")/lib.sh"

mkdir -p "$work/src"
for i in $(seq 40); do printf 'record %d\n' "$i" > "$work/src/r$i.txt"; done
head -c 3000000 /dev/urandom > "$work/src/blob.bin"

a="$work/alice" b="$work/bob"
mount_at "$a" "wallet=$(wallet_file alice),cache=$work/cache-a"
mount_at "$b" "wallet=$(wallet_file bob),cache=$work/cache-b"
alice=$(attr wallet "$a"); bob=$(attr wallet "$b")
check "two wallets" test -n "$alice" -a "$alice" != "$bob"

# Concurrent writers: three protected data per mount, copied in at the same time.
pids=()
for n in 1 2 3; do
  (mkdir "$a/data$n" && cp "$work/src/"* "$a/data$n/") & pids+=($!)
  (mkdir "$b/data$n" && cp "$work/src/"* "$b/data$n/") & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
"$bin" sync "$a" > /dev/null & sa=$!
"$bin" sync "$b" > /dev/null & sb=$!
wait $sa; check "alice's publishes done" test $? -eq 0
wait $sb; check "bob's publishes done" test $? -eq 0
for n in 1 2 3; do
  check "alice data$n published" test "$(attr status "$a/data$n")" == published
  check "bob data$n published" test "$(attr status "$b/data$n")" == published
  check "alice data$n owned by alice" test "$(attr owner "$a/data$n")" == "$alice"
  check "bob data$n owned by bob" test "$(attr owner "$b/data$n")" == "$bob"
  check "alice data$n content" diff -r "$work/src" "$a/data$n"
done
for n in 1 2 3; do
  check "data$n registered once for alice" test "$(registrations "$alice" "data$n")" -eq 1
  check "data$n registered once for bob" test "$(registrations "$bob" "data$n")" -eq 1
done
check "each root shows only its wallet's data" test "$(ls "$a" | tr '\n' ' ')" == "data1 data2 data3 "
unmount_at "$b"

# A new cache for bob: the same three, read from the shared network.
mount_at "$b" "wallet=$(wallet_file bob),cache=$work/cache-b2"
check "bob's data from the network" wait_for 10 bash -c "[[ \"\$(ls '$b' | tr '\n' ' ')\" == 'data1 data2 data3 ' ]]"
check "bob's blob read back from the network" cmp -s "$work/src/blob.bin" "$b/data2/blob"
unmount_at "$b"
unmount_at "$a"

# mount(8) with the helper, as root; and an fstab line (mount -T FSTAB MOUNTPOINT), then umount.
if [[ $(id -u) -eq 0 ]]; then
  # /sbin/mount.protectedfs is shared with tests/package (which installs the package's): one at a time.
  exec 8>/run/lock/protectedfs-sbin-helper.lock; flock -w 600 8
  helper=/sbin/mount.protectedfs
  made_helper=""
  if [[ ! -e "$helper" ]]; then
    ln -s "$(cd "$(dirname "$0")/../../mount-helper" && pwd)/mount.protectedfs" "$helper" && made_helper=1
  fi
  m="$work/viamount"; mkdir -p "$m"
  printf '%s\n' "$PROTECTEDFS_PASSWORD" > "$work/password"
  check "mount -t protectedfs" mount -t protectedfs "$(network_name)" "$m" -o "wallet=$(wallet_file alice),password_file=$work/password,cache=$work/cache-m,publish_delay=100"
  check "mounted by mount(8): alice's data" wait_for 10 test -d "$m/data1"
  check "umount" umount "$m"
  check "unmounted" bash -c "! mountpoint -q '$m'"
  check "daemon gone after umount" wait_for 20 bash -c "! pgrep -f '[p]rotectedfs $m' > /dev/null"
  printf '%s %s protectedfs noauto,defaults,wallet=%s,password_file=%s,cache=%s 0 0\n' "$(network_name)" "$m" "$(wallet_file alice)" "$work/password" "$work/cache-m" > "$work/fstab"
  check "mount from an fstab line" mount -T "$work/fstab" "$m"
  check "fstab mount works" wait_for 10 test -d "$m/data3"
  check "umount (fstab)" umount "$m"
  check "daemon gone after umount (fstab)" wait_for 20 bash -c "! pgrep -f '[p]rotectedfs $m' > /dev/null"
  [[ -n "$made_helper" ]] && rm -f "$helper"
  flock -u 8
fi
finish
