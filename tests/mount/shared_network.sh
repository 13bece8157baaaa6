#!/usr/bin/env bash
# Several daemons of several wallets on one local network at the same time (SPEC.md §6): two mounts of two wallets
# copy in concurrently and each publishes its own data without corrupting the other's; each root shows only what
# its wallet owns. Also mount(8) and fstab through mount.protectedfs, and umount.
source "$(dirname "$0")/lib.sh"
network="$work/network"

mkdir -p "$work/src"
for i in $(seq 40); do printf 'record %d\n' "$i" > "$work/src/r$i.txt"; done
head -c 3000000 /dev/urandom > "$work/src/blob.bin"

a="$work/alice" b="$work/bob"
mount_at "$a" "network=local:$network,wallet=$work/alice.json,cache=$work/cache-a"
mount_at "$b" "network=local:$network,wallet=$work/bob.json,cache=$work/cache-b"
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
check "six registrations, no more" test "$(ls "$network/registry" | grep -c '^0x')" -eq 6
check "each root shows only its wallet's data" test "$(ls "$a" | tr '\n' ' ')" == "data1 data2 data3 "
unmount_at "$b"

# A new cache for bob: the same three, read from the shared network.
mount_at "$b" "network=local:$network,wallet=$work/bob.json,cache=$work/cache-b2"
check "bob's data from the network" wait_for 10 bash -c "[[ \"\$(ls '$b' | tr '\n' ' ')\" == 'data1 data2 data3 ' ]]"
check "bob's blob read back from the network" cmp -s "$work/src/blob.bin" "$b/data2/blob"
unmount_at "$b"
unmount_at "$a"

# mount(8) with the helper, as root; and an fstab line (mount -T FSTAB MOUNTPOINT), then umount.
if [[ $(id -u) -eq 0 ]]; then
  helper=/sbin/mount.protectedfs
  made_helper=""
  if [[ ! -e "$helper" ]]; then
    ln -s "$(cd "$(dirname "$0")/../../mount-helper" && pwd)/mount.protectedfs" "$helper" && made_helper=1
  fi
  m="$work/viamount"; mkdir -p "$m"
  printf '%s\n' "$PROTECTEDFS_PASSWORD" > "$work/password"
  check "mount -t protectedfs" mount -t protectedfs "local:$network" "$m" -o "wallet=$work/alice.json,password_file=$work/password,cache=$work/cache-m,publish_delay=100"
  check "mounted by mount(8): alice's data" wait_for 10 test -d "$m/data1"
  check "umount" umount "$m"
  check "unmounted" bash -c "! mountpoint -q '$m'"
  printf 'local:%s %s protectedfs noauto,defaults,wallet=%s,password_file=%s,cache=%s 0 0\n' "$network" "$m" "$work/alice.json" "$work/password" "$work/cache-m" > "$work/fstab"
  check "mount from an fstab line" mount -T "$work/fstab" "$m"
  check "fstab mount works" wait_for 10 test -d "$m/data3"
  check "umount (fstab)" umount "$m"
  for _ in $(seq 50); do pgrep -f "[p]rotectedfs $m" > /dev/null || break; sleep 0.1; done
  check "daemon gone after umount" bash -c "! pgrep -f '[p]rotectedfs $m' > /dev/null"
  [[ -n "$made_helper" ]] && rm -f "$helper"
fi
finish
