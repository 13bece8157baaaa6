#!/usr/bin/env bash
# The root shows what the wallet owns on the network (SPEC.md §2): a second mount of the same wallet with an empty
# cache shows the same tree (names by key and type, fields, sizes, schema) and reads the content through the key
# held for the wallet; a version published by one mount replaces the other's; rmdir hides a lineage for good.
source "$(dirname "$0")/lib.sh"

src=$(medical_folder)
printf '42\n' > "$src/age.txt"

a="$work/a" b="$work/b"
mount_at "$a" "cache=$work/cache-a"
cp -r "$src" "$a/"
setfattr -n user.protected.type -v i128 "$a/medical/age.txt"
"$bin" sync "$a" > /dev/null
wait_published "$a/medical"; check "published by the first mount" test $? -eq 0
schema=$(attr schema "$a/medical"); address=$(attr address "$a/medical")

mount_at "$b" "cache=$work/cache-b"
check "second mount shows the data" wait_for 10 test -d "$b/medical"
check "same address" test "$(attr address "$b/medical")" == "$address"
check "same schema" test "$(attr schema "$b/medical")" == "$schema"
check "status published" test "$(attr status "$b/medical")" == published
# Names known only to the first mount's cache: shown as key + the type's extension (SPEC.md §2).
check "names by key and type" test "$(cd "$b/medical" && find . | sort | tr '\n' ' ')" == ". ./age ./email ./report.pdf ./scans ./scans/chest.png ./scans/raw "
check "string read back" cmp -s "$src/email.txt" "$b/medical/email"
check "pdf read back" cmp -s "$src/report.pdf" "$b/medical/report.pdf"
check "binary read back" cmp -s "$src/scans/raw.bin" "$b/medical/scans/raw"
check "png read back" cmp -s "$src/scans/chest.png" "$b/medical/scans/chest.png"
check "i128 read back" test "$(cat "$b/medical/age")" == 42
check "i128 keeps its type" test "$(attr type "$b/medical/age")" == i128
check "sizes" test "$(stat -c %s "$b/medical/scans/raw")" -eq 300000 -a "$(stat -c %s "$b/medical/email")" -eq 18
check "field keys" test "$(attr key "$b/medical/scans/raw")" == scans.raw

# A change in the second mount publishes a new version; the first mount then shows it.
printf 'bob@example.com\n' > "$b/medical/email"
wait_published "$b/medical"; "$bin" sync "$b" > /dev/null
new=$(attr address "$b/medical")
check "new version from the second mount" test "$new" != "$address"
check "unchanged fields carried over" bash -c "[[ '$(attr schema "$b/medical")' == '$schema' ]]"
check "first mount follows" wait_for 10 bash -c "[[ \"\$(getfattr --absolute-names --only-values -n user.protected.address '$a/medical')\" == '$new' ]]"
check "first mount reads the new content (its own names kept)" wait_for 5 bash -c "[[ \"\$(cat '$a/medical/email.txt')\" == bob@example.com ]]"
check "versions list" bash -c "getfattr --absolute-names --only-values -n user.protected.versions '$a/medical' | grep -q '$address'"
unmount_at "$b"

# rmdir hides the lineage: not shown again, not even by a mount with an empty cache.
rm -r "$a/medical"/*
rmdir "$a/medical"
check "rmdir removes it" test ! -e "$a/medical"
sleep 1
check "rmdir: not back after a sync" test ! -e "$a/medical"
mount_at "$b" "cache=$work/cache-c"
sleep 1
check "rmdir: hidden from a new cache" test ! -e "$b/medical"
unmount_at "$b"
unmount_at "$a"
finish
