#!/usr/bin/env bash
# A nested folder of mixed files protected through the mount with the usual tools, read back identical; the
# schema equals what `protectedfs pack` gives for the same folder; dot-files stay local; SPEC §4's errnos.
source "$(dirname "$0")/lib.sh"
vectors=$(cd "$(dirname "$0")/../vectors" && pwd)

src=$(medical_folder)
printf 'swap\n' > "$src/.email.txt.swp"

start_daemon
check "mount root lists nothing yet" test -z "$(ls -A "$mnt")"
check "wallet attribute on the root" bash -c "getfattr --absolute-names --only-values -n user.protected.wallet '$mnt' | grep -q '^0x'"

cp -r "$src" "$mnt/"
check "tree listed" test "$(cd "$mnt/medical" && find . | sort | tr '\n' ' ')" == ". ./.email.txt.swp ./email.txt ./report.pdf ./scans ./scans/chest.png ./scans/raw.bin "
check "bytes read back identical" diff -r "$src" "$mnt/medical"
wait_published "$mnt/medical"; check "published" test $? -eq 0
expected=$("$bin" pack "$src" "$work/x.enc" | python3 -c 'import json,sys; print(json.load(sys.stdin)["schema"])')
check "schema equals pack's" test "$(getfattr --absolute-names --only-values -n user.protected.schema "$mnt/medical")" == "$expected"
check "dot-file not in the schema" bash -c "! getfattr --absolute-names --only-values -n user.protected.schema '$mnt/medical' | grep -q swp"
address=$(getfattr --absolute-names --only-values -n user.protected.address "$mnt/medical")
check "address" bash -c "[[ '$address' =~ ^0x[0-9a-fA-F]{40}$ ]]"
check "field key attribute" test "$(getfattr --absolute-names --only-values -n user.protected.key "$mnt/medical/scans/raw.bin")" == "scans.raw"

# rsync -a (temporary dot-files, chmod, utimens, renames) into a second protected data
mkdir "$mnt/copy"
check "rsync -a" rsync -a "$src/" "$mnt/copy/"
check "rsync copy identical" diff -r "$src" "$mnt/copy"
check "ls -lR" bash -c "ls -lR '$mnt' > /dev/null"
check "stat" bash -c "stat -c '%s' '$mnt/copy/email.txt' | grep -qx 18"

# Errors of SPEC §4
refuses "rename between protected data" "Invalid cross-device link" python3 -c "import os,sys; os.rename(sys.argv[1], sys.argv[2])" "$mnt/copy/email.txt" "$mnt/medical/email2.txt"
check "mv falls back to copy + delete" bash -c "mv '$mnt/copy/email.txt' '$mnt/medical/email2.txt' && cmp -s '$src/email.txt' '$mnt/medical/email2.txt' && [[ ! -e '$mnt/copy/email.txt' ]]"
rm "$mnt/medical/email2.txt"
refuses "symlink at the root" "Operation not permitted" ln -s /etc/hostname "$mnt/link"
refuses "same key twice" "File exists" cp "$src/email.txt" "$mnt/medical/email.pdf"
refuses "type the content does not parse as" "Invalid argument" setfattr -n user.protected.type -v f64 "$mnt/medical/email.txt"
refuses "read-only attribute" "Read-only file system" setfattr -n user.protected.address -v 0x00 "$mnt/medical"
refuses "no such attribute" "No such attribute" getfattr --absolute-names -n user.protected.nope "$mnt/medical"
# Only user.* is supported: ls -l then asks for the security label and the ACL of one file only, not of every file
refuses "security label unsupported" "Operation not supported" getfattr --absolute-names -n security.selinux "$mnt/medical"
refuses "POSIX ACL unsupported" "Operation not supported" getfattr --absolute-names -n system.posix_acl_access "$mnt/medical/email.txt"
refuses "removing a security label unsupported" "Operation not supported" setfattr -x security.selinux "$mnt/medical"
command -v strace > /dev/null && check "ls -l stops asking for unsupported attributes" bash -c \
  "[[ \$(strace -f -e trace=getxattr,lgetxattr ls -l '$mnt/medical' 2>&1 >/dev/null | grep -c xattr) -le 2 ]]"
refuses "file at the root" "Operation not permitted" cp "$src/email.txt" "$mnt/"

# A rename and a delete each publish one new version.
versions() { getfattr --absolute-names --only-values -n user.protected.versions "$mnt/medical" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# sync without a terminal: one line at start, at most one per 10 s, one at the end (not one every 200 ms).
start=$SECONDS; "$bin" sync "$mnt" > "$work/sync.log"; elapsed=$((SECONDS - start)); before=$(versions)
check "sync without a terminal: $(wc -l < "$work/sync.log") lines in ${elapsed} s" test "$(wc -l < "$work/sync.log")" -le $((2 + elapsed / 10))
check "sync's last line" test "$(tail -1 "$work/sync.log")" == "everything is published"
mv "$mnt/medical/report.pdf" "$mnt/medical/scan.pdf"
check "sync after a rename" bash -c "'$bin' sync '$mnt' > /dev/null"
check "rename: one new version" test "$(versions)" -eq $((before + 1))
rm "$mnt/medical/email.txt"
check "sync after a delete" bash -c "'$bin' sync '$mnt' > /dev/null"
check "delete: one new version" test "$(versions)" -eq $((before + 2))
check "new schema" bash -c "getfattr --absolute-names --only-values -n user.protected.schema '$mnt/medical' | grep -q '\"scan\"'"
check "status after sync" test "$(getfattr --absolute-names --only-values -n user.protected.status "$mnt/medical")" == published
check "status command" bash -c "'$bin' status '$mnt' | grep -q 'nothing pending'"

# A write-only descriptor writes past the kernel's page cache (fuse_adapter.cpp): a reader that has the old bytes
# cached reads the new ones after the write; a read-write descriptor (which may be mapped) keeps the cache.
printf 'first version\n' > "$mnt/medical/cached.txt"
check "a cached reader sees a write through a write-only descriptor" python3 -c "
import os, sys, mmap
path = sys.argv[1]
with open(path, 'rb') as reader:
    assert reader.read() == b'first version\n'
    with open(path, 'wb') as writer:  # O_WRONLY: direct I/O
        writer.write(b'second, longer version\n')
    reader.seek(0)
    assert reader.read() == b'second, longer version\n', 'stale'
with open(path, 'r+b') as both:  # O_RDWR: cached, and it can be mapped shared
    with mmap.mmap(both.fileno(), 0) as m:
        m[0:6] = b'SECOND'
with open(path, 'rb') as again:
    assert again.read() == b'SECOND, longer version\n'
" "$mnt/medical/cached.txt"
rm "$mnt/medical/cached.txt"
check "sync after the cache checks" bash -c "'$bin' sync '$mnt' > /dev/null"

# Unmount and mount again: the same tree and contents.
stop_daemon
start_daemon
check "remount: identical" diff -r <(cd "$src" && cat scans/raw.bin) <(cat "$mnt/medical/scans/raw.bin")
check "remount: status" test "$(getfattr --absolute-names --only-values -n user.protected.status "$mnt/medical")" == published
finish
