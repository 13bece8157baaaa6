#!/usr/bin/env bash
# A protected data whose content cannot be fetched stays listed (SPEC.md §4, issue 9 §5): a mount with an empty
# cache, while the version's blob is missing from the local network's content store, lists the data and its fields
# from the registered schema, and its status says why; `cat` of a field fails with EIO and one daemon log line names
# the field and the cause. Once the blob is back, the fields read and the status is `published` again. Content that
# fails its registered checksum reads as EBADMSG.
source "$(dirname "$0")/lib.sh"

a="$work/a"
mount_at "$a" "cache=$work/cache-a"
mkdir "$a/medical"
printf 'alice@example.com\n' > "$a/medical/email.txt"
head -c 300000 /dev/urandom > "$work/raw.bin"
cp "$work/raw.bin" "$a/medical/raw.bin"
wait_published "$a/medical"; check "published" test $? -eq 0
multiaddr=$(attr multiaddr "$a/medical"); cid=${multiaddr##*/}
address=$(attr address "$a/medical"); owner=$(attr owner "$a/medical")
unmount_at "$a"
blob="$net/content/$cid"
check "the version's blob is in the content store" test -f "$blob"

# The blob missing: listed from the schema, the status says why, reads EIO with one log line.
mv "$blob" "$work/blob"
mount_at "$mnt" "cache=$work/cache-b"
check "listed with an empty cache" wait_for 10 test -d "$mnt/medical"
check "fields listed from the schema" test "$(cd "$mnt/medical" && ls | tr '\n' ' ')" == "email raw "
status=$(attr status "$mnt/medical")
check "status says why: '$status'" test "${status#failed: its content cannot be fetched: }" != "$status"
check "status names the missing content" test "${status#*$cid}" != "$status"
before=$(wc -l < "$work/daemon.log")
refuses "cat of a field: EIO" "Input/output error" cat "$mnt/medical/email"
lines=$(tail -n +$((before + 1)) "$work/daemon.log" | grep "'email'" | grep -c "$cid")
check "one log line names the field and the cause (got $lines)" test "$lines" -eq 1
refuses "cat of another field: EIO" "Input/output error" cat "$mnt/medical/raw"
sleep 1  # a few passes of the tree sync: still listed, nothing published again
check "still listed" test -f "$mnt/medical/email"
check "still failed" test "$(attr status "$mnt/medical" | cut -d' ' -f1)" == "failed:"
check "the registered version shown" test "$(attr address "$mnt/medical")" == "$address"
# A restart over this cache: the same, and nothing takes the listing for a change to publish.
unmount_at "$mnt"
mount_at "$mnt" "cache=$work/cache-b"
check "listed after a restart" test -f "$mnt/medical/email"
check "still failed after a restart" test "$(attr status "$mnt/medical" | cut -d' ' -f1)" == "failed:"
refuses "cat after a restart: EIO" "Input/output error" cat "$mnt/medical/email"

# The blob back: readable, published.
mv "$work/blob" "$blob"
wait_published "$mnt/medical" 10; check "published once the content is back" test $? -eq 0
check "string field reads" wait_for 5 test "$(cat "$mnt/medical/email" 2>/dev/null)" == alice@example.com
check "binary field reads" cmp -s "$work/raw.bin" "$mnt/medical/raw"
check "its size" test "$(stat -c %s "$mnt/medical/raw")" -eq 300000
unmount_at "$mnt"
check "nothing published again" test "$(registrations "$owner" medical)" == 1

# Content that fails its checksum (a byte changed inside a field's bytes): EBADMSG, with the reason logged.
cp "$blob" "$work/blob"
python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(100000); b=f.read(1); f.seek(100000); f.write(bytes([b[0]^1]))" "$blob"
mount_at "$mnt" "cache=$work/cache-c"
check "listed (damaged content)" wait_for 10 test -e "$mnt/medical/raw"
refuses "damaged content: EBADMSG" "Bad message" cat "$mnt/medical/raw"
check "the field and the reason logged" grep -q "'raw'.*does not match its registered checksum" "$work/daemon.log"
unmount_at "$mnt"
cp "$work/blob" "$blob"
finish
