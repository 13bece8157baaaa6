#!/usr/bin/env bash
# Hard links and rename in full (issue 14). `rsync -aH` of a real folder holding symlinks, hard links, a FIFO and a
# socket copies it whole and `rsync -aHn --itemize-changes` then finds nothing to do (before and after a remount and
# a kill -9); each name of a hard-linked file is a field of its own in the published schema (the same bytes, read back
# by a mount with an empty cache), the rest stays local; st_nlink counts names, a write through one name is read
# through the other, unlinking one name keeps the other, `ln` across two protected data is EXDEV. rename(2) and
# renameat2(2): over a file, over an empty folder (ENOTEMPTY for a full one), EISDIR/ENOTDIR across kinds, a folder
# into itself (EINVAL), RENAME_NOREPLACE (EEXIST), RENAME_EXCHANGE (files, a file and a folder, two protected data),
# RENAME_WHITEOUT (EINVAL: not supported), EXDEV between protected data; each rename publishes one version; a
# protected data renamed at the root does not come back under its old name.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only: nothing here depends on the network"
  exit 0
fi

bind_socket() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1"; }
# rename2 SRC DST [noreplace|exchange|whiteout]: renameat2(2) through python3's ctypes (coreutils 9.1 has no
# `mv --exchange`); on failure the strerror text on stderr and status 1, as the tools print it.
rename2() {
  python3 - "$@" <<'EOF'
import ctypes, os, sys
flags = {"": 0, "noreplace": 1, "exchange": 2, "whiteout": 4}[sys.argv[3] if len(sys.argv) > 3 else ""]
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), flags) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
EOF
}
versions() {  # DIR: how many versions it has had (the newest and the earlier ones)
  getfattr --absolute-names --only-values -n user.protected.versions "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)) + 1)'
}
synced() { "$bin" sync "$mnt" > /dev/null; }
schema_keys() {  # DIR: the schema's field paths, sorted
  attr schema "$1" | python3 -c '
import json, sys
def walk(o, p):
    for k, v in o.items():
        yield from walk(v, p + k + ".") if isinstance(v, dict) else [p + k]
print(" ".join(sorted(walk(json.load(sys.stdin), ""))))'
}
start_daemon "cache=$work/cache"

# --- rsync -aH of a real folder: symlinks, hard links (in one folder, across folders, three names), a FIFO, a socket.
src="$work/src"
mkdir -p "$src/sub/deeper"
printf 'alice@example.com\n' > "$src/email.txt"
printf '%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n' > "$src/report.pdf"
head -c 200000 /dev/urandom > "$src/sub/raw.bin"
ln "$src/email.txt" "$src/contact.txt"
ln "$src/email.txt" "$src/sub/deeper/mail.txt"
ln "$src/sub/raw.bin" "$src/raw_copy.bin"
ln -s email.txt "$src/latest"
ln "$src/latest" "$src/sub/latest_too"  # a hard link to a symlink
mkfifo "$src/sub/queue"
bind_socket "$src/control.sock"
mkdir "$mnt/copy"
check "rsync -aH into the mount" rsync -aH "$src/" "$mnt/copy/"
same_as_source() { [[ -z "$(rsync -aHn --itemize-changes "$src/" "$mnt/copy/")" ]]; }
check "rsync -aHn --itemize-changes shows nothing" same_as_source
check "the copy's kinds" test "$(cd "$mnt/copy" && find . -printf '%p %y\n' | sort | tr '\n' ' ')" == \
  ". d ./contact.txt f ./control.sock s ./email.txt f ./latest l ./raw_copy.bin f ./report.pdf f ./sub d ./sub/deeper d ./sub/deeper/mail.txt f ./sub/latest_too l ./sub/queue p ./sub/raw.bin f "
inode() { stat -c %i "$1"; }
check "hard links: one inode" test "$(inode "$mnt/copy/email.txt")" == "$(inode "$mnt/copy/sub/deeper/mail.txt")" -a \
  "$(inode "$mnt/copy/email.txt")" == "$(inode "$mnt/copy/contact.txt")"
check "st_nlink counts the names" test "$(stat -c %h "$mnt/copy/email.txt" "$mnt/copy/raw_copy.bin" "$mnt/copy/report.pdf" "$mnt/copy/latest" | tr '\n' ' ')" == "3 2 1 2 "
check "same bytes through each name" cmp -s "$mnt/copy/sub/raw.bin" "$mnt/copy/raw_copy.bin"

# --- Published: only the regular files, each name of a hard-linked one a field; the rest listed as local.
check "protectedfs sync" synced
check "the schema holds every name of the regular files, nothing else" test "$(schema_keys "$mnt/copy")" == \
  "contact email raw_copy report sub.deeper.mail sub.raw"
local_of() { attr local "$1" | python3 -c 'import json,sys; print(" ".join(e["path"] + ":" + e["kind"] for e in json.load(sys.stdin)))'; }
check "user.protected.local lists what stays local" test "$(local_of "$mnt/copy")" == \
  "control.sock:socket latest:symlink sub/latest_too:symlink sub/queue:fifo"
key_of_names() { [[ " contact email sub.deeper.mail " == *" $(attr key "$mnt/copy/sub/deeper/mail.txt") "* ]]; }
check "user.protected.key: the key of one of its names" key_of_names

# --- What the links survive: an unmount, a kill -9.
stop_daemon
start_daemon "cache=$work/cache"
check "remount: rsync -aHn shows nothing" same_as_source
check "remount: st_nlink" test "$(stat -c %h "$mnt/copy/email.txt" "$mnt/copy/raw_copy.bin" "$mnt/copy/latest" | tr '\n' ' ')" == "3 2 2 "
mkdir "$mnt/crash"
printf 'kept\n' > "$mnt/crash/a.txt"
ln "$mnt/crash/a.txt" "$mnt/crash/b.txt"
kill_daemon
start_daemon "cache=$work/cache"
check "kill -9: a link made just before" test "$(stat -c %h "$mnt/crash/a.txt")" -eq 2 -a \
  "$(inode "$mnt/crash/a.txt")" == "$(inode "$mnt/crash/b.txt")" -a "$(cat "$mnt/crash/b.txt")" == kept
check "kill -9: rsync -aHn shows nothing" same_as_source

# --- Links one at a time.
printf 'carol' | dd of="$mnt/copy/contact.txt" conv=notrunc status=none
check "a write through one name is read through the others" test "$(cat "$mnt/copy/email.txt")" == "carol@example.com"
mkdir "$mnt/other"
refuses "ln across two protected data: EXDEV" "Invalid cross-device link" ln "$mnt/copy/email.txt" "$mnt/other/email.txt"
refuses "ln at the root: EPERM" "Operation not permitted" ln "$mnt/copy/email.txt" "$mnt/email.txt"
refuses "link(2) of a folder: EPERM" "Operation not permitted" python3 -c 'import os,sys; os.link(sys.argv[1], sys.argv[2])' "$mnt/copy/sub" "$mnt/copy/sub2"
refuses "ln over an existing name: EEXIST" "File exists" ln "$mnt/copy/email.txt" "$mnt/copy/report.pdf"
refuses "ln to a name whose key is taken: EEXIST" "File exists" ln "$mnt/copy/email.txt" "$mnt/copy/report.txt"
check "nothing was made" test "$(ls "$mnt/other" | wc -l)" -eq 0 -a "$(stat -c %h "$mnt/copy/email.txt")" -eq 3
check "sync" synced
before=$(versions "$mnt/copy")
check "rm one name" rm "$mnt/copy/contact.txt"
check "… the others keep the bytes" test "$(cat "$mnt/copy/sub/deeper/mail.txt")" == "carol@example.com"
check "… st_nlink drops" test "$(stat -c %h "$mnt/copy/email.txt")" -eq 2
check "ln inside one protected data" ln "$mnt/copy/report.pdf" "$mnt/copy/sub/report_again.pdf"
check "… st_nlink 2" test "$(stat -c %h "$mnt/copy/report.pdf")" -eq 2
check "sync" synced
check "the link and the unlink: one version" test "$(versions "$mnt/copy")" -eq $((before + 1))
check "… its schema" test "$(schema_keys "$mnt/copy")" == "email raw_copy report sub.deeper.mail sub.raw sub.report_again"

# --- The published version, read by a mount with an empty cache: each name a field, the same bytes.
stop_daemon
start_daemon "cache=$work/cache-fresh"
check "fresh mount: the data is shown" wait_for 10 test -f "$mnt/copy/sub/deeper/mail"
check "fresh mount: both names' bytes" test "$(cat "$mnt/copy/email")" == carol@example.com -a "$(cat "$mnt/copy/sub/deeper/mail")" == carol@example.com
check "fresh mount: the binary under both names" bash -c "cmp -s '$src/sub/raw.bin' '$mnt/copy/sub/raw' && cmp -s '$src/sub/raw.bin' '$mnt/copy/raw_copy'"
check "fresh mount: the pdf under both names" bash -c "cmp -s '$src/report.pdf' '$mnt/copy/report.pdf' && cmp -s '$src/report.pdf' '$mnt/copy/sub/report_again.pdf'"
stop_daemon
start_daemon "cache=$work/cache"

# --- rename(2) and renameat2(2), each with its errno, each one version.
d="$mnt/copy"
printf 'old\n' > "$d/config.txt"
printf 'new\n' > "$d/.config.txt.tmp"
check "sync" synced
before=$(versions "$d")
check "rename over a file" rename2 "$d/.config.txt.tmp" "$d/config.txt"
check "… the new bytes" test "$(cat "$d/config.txt")" == new
check "sync" synced
check "… one version" test "$(versions "$d")" -eq $((before + 1))
mkdir -p "$d/empty" "$d/full/inner"
printf 'x\n' > "$d/full/x.txt"
mkdir -p "$d/moving/below"
printf 'm\n' > "$d/moving/m.txt"
refuses "rename over a folder that is not empty: ENOTEMPTY" "Directory not empty" rename2 "$d/moving" "$d/full"
refuses "a folder into itself: EINVAL" "Invalid argument" rename2 "$d/moving" "$d/moving/below/moving"
refuses "a file over a folder: EISDIR" "Is a directory" rename2 "$d/config.txt" "$d/empty"
refuses "a folder over a file: ENOTDIR" "Not a directory" rename2 "$d/moving" "$d/config.txt"
refuses "RENAME_NOREPLACE over a name: EEXIST" "File exists" rename2 "$d/config.txt" "$d/report.pdf" noreplace
refuses "RENAME_EXCHANGE with a missing name: ENOENT" "No such file or directory" rename2 "$d/config.txt" "$d/nothing.txt" exchange
if [[ $EUID -eq 0 ]]; then  # (the kernel asks for CAP_MKNOD before it asks the file system)
  refuses "RENAME_WHITEOUT: EINVAL (not supported)" "Invalid argument" rename2 "$d/config.txt" "$d/config2.txt" whiteout
fi
refuses "rename between protected data: EXDEV" "Invalid cross-device link" rename2 "$d/config.txt" "$mnt/other/config.txt"
refuses "RENAME_EXCHANGE between protected data: EXDEV" "Invalid cross-device link" rename2 "$d/config.txt" "$mnt/other" exchange
check "sync" synced
before=$(versions "$d")
check "rename over an empty folder" rename2 "$d/moving" "$d/empty"
check "… its content moved" test "$(cat "$d/empty/m.txt")" == m -a ! -e "$d/moving"
check "sync" synced
check "… one version" test "$(versions "$d")" -eq $((before + 1))
check "RENAME_NOREPLACE to a free name" rename2 "$d/config.txt" "$d/settings.txt" noreplace
check "sync" synced
check "… one version" test "$(versions "$d")" -eq $((before + 2))
before=$(versions "$d")
check "RENAME_EXCHANGE of two files" rename2 "$d/settings.txt" "$d/report.pdf" exchange
check "… swapped" test "$(cat "$d/report.pdf")" == new -a "$(head -c 8 "$d/settings.txt")" == "%PDF-1.7"
check "sync" synced
check "… one version" test "$(versions "$d")" -eq $((before + 1))
check "RENAME_EXCHANGE of a file and a folder" rename2 "$d/settings.txt" "$d/full" exchange
check "… swapped" test -d "$d/settings.txt" -a -f "$d/full" -a "$(cat "$d/settings.txt/x.txt")" == x
check "sync" synced
check "… the schema follows (a folder keys as its whole name)" test "$(schema_keys "$d")" == \
  "email empty.m full raw_copy report settings_txt.x sub.deeper.mail sub.raw sub.report_again"
check "rename onto another name of the same file does nothing" rename2 "$d/email.txt" "$d/sub/deeper/mail.txt"
check "… both names stay" test -f "$d/email.txt" -a "$(stat -c %h "$d/email.txt")" -eq 2

# --- At the root: a protected data renamed is published under its new name, and its old one does not come back.
mkdir "$mnt/alpha" "$mnt/beta"
printf 'a\n' > "$mnt/alpha/a.txt"
printf 'b\n' > "$mnt/beta/b.txt"
check "sync" synced
check "RENAME_EXCHANGE of two protected data" rename2 "$mnt/alpha" "$mnt/beta" exchange
check "… swapped" test "$(cat "$mnt/alpha/b.txt")" == b -a "$(cat "$mnt/beta/a.txt")" == a
check "sync" synced
check "… each published under its new name" test "$(attr status "$mnt/alpha")" == published -a "$(attr status "$mnt/beta")" == published
check "mv of a protected data" mv "$mnt/alpha" "$mnt/gamma"
check "sync" synced
sleep 1.5  # three passes of the tree sync (sync_interval 500 ms)
check "the old name does not come back" test "$(ls "$mnt" | tr '\n' ' ')" == "beta copy crash gamma other "
stop_daemon
start_daemon "cache=$work/cache-fresh2"
check "a mount with an empty cache shows the new names" wait_for 10 test -f "$mnt/gamma/b" -a -f "$mnt/beta/a"
sleep 1.5
check "… and not the old one" test ! -e "$mnt/alpha"
finish
