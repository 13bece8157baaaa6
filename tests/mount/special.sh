#!/usr/bin/env bash
# Special files kept local-only (issue 14): symlinks (dangling ones too), FIFOs, sockets and, for root, device nodes
# live in the tree and the cache like any node, so `rsync -a` of a real folder into the mount works and the copy
# matches; they survive an unmount and a kill -9, are never published (the schema holds only the regular files) and
# user.protected.local lists them. Refused at the root (only protected data there) and, for devices, to other uids.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only: nothing here depends on the network"
  exit 0
fi

bind_socket() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1"; }
chmod 0711 "$work"  # the second uid must reach the mount point
start_daemon "allow_other,cache=$work/cache"

# --- One at a time, with the usual tools.
mkdir "$mnt/project"
printf 'hello\n' > "$mnt/project/notes.txt"
check "ln -s" ln -s notes.txt "$mnt/project/latest"
check "readlink" test "$(readlink "$mnt/project/latest")" == notes.txt
check "stat: symbolic link, sized by its target" test "$(stat -c '%F %s' "$mnt/project/latest")" == "symbolic link 9"
check "read through the link" test "$(cat "$mnt/project/latest")" == hello
check "a dangling link" ln -s /nowhere/at/all "$mnt/project/dangling"
check "… reads back" test "$(readlink "$mnt/project/dangling")" == /nowhere/at/all
refuses "open through a dangling link" "No such file or directory" cat "$mnt/project/dangling"
refuses "O_NOFOLLOW on a link" "Too many levels of symbolic links" \
  python3 -c 'import os,sys; os.open(sys.argv[1], os.O_RDONLY | os.O_NOFOLLOW)' "$mnt/project/latest"
check "mkfifo" mkfifo "$mnt/project/pipe"
check "stat: fifo" test "$(stat -c %F "$mnt/project/pipe")" == fifo
check "a FIFO carries bytes" bash -c "(echo through > '$mnt/project/pipe' &) ; [[ \$(timeout 5 cat '$mnt/project/pipe') == through ]]"
check "a unix socket bound" bind_socket "$mnt/project/sock"
check "stat: socket" test "$(stat -c %F "$mnt/project/sock")" == socket
check "mknod c 1 3 as root" mknod "$mnt/project/null" c 1 3
check "stat: character device 1,3" test "$(stat -c '%F %t,%T' "$mnt/project/null")" == "character special file 1,3"
chmod 0777 "$mnt/project"
refuses "mknod of a device as another uid" "Operation not permitted" as_other mknod "$mnt/project/null2" c 1 3
check "mkfifo as another uid" as_other mkfifo "$mnt/project/their_pipe"
check "… owned by that uid" test "$(stat -c %u "$mnt/project/their_pipe")" == $other
check "mknod(2) of a regular file makes an empty file" bash -c \
  "python3 -c 'import os,sys; os.mknod(sys.argv[1])' '$mnt/project/made_by_mknod' && [[ \$(stat -c '%F %s' '$mnt/project/made_by_mknod') == 'regular empty file 0' ]]"
refuses "a symlink at the root" "Operation not permitted" ln -s project "$mnt/link"
refuses "a FIFO at the root" "Operation not permitted" mkfifo "$mnt/pipe"
check "rename and remove a link" bash -c "mv '$mnt/project/dangling' '$mnt/project/gone' && rm '$mnt/project/gone' && [[ ! -L '$mnt/project/gone' ]]"

# --- rsync -a of a real folder holding a symlink, a FIFO and a socket.
src="$work/src"
mkdir -p "$src/sub"
printf 'alice@example.com\n' > "$src/email.txt"
printf '42\n' > "$src/sub/answer.txt"
ln -s email.txt "$src/contact"
ln -s ../email.txt "$src/sub/up"
mkfifo "$src/sub/queue"
bind_socket "$src/control.sock"
mkdir "$mnt/copy"
check "rsync -a into the mount" rsync -a "$src/" "$mnt/copy/"
same_as_source() { [[ -z "$(rsync -an --itemize-changes "$src/" "$mnt/copy/")" ]]; }
check "rsync -an --itemize-changes shows nothing" same_as_source
check "the copy's kinds" test "$(cd "$mnt/copy" && find . -printf '%p %y\n' | sort | tr '\n' ' ')" == \
  ". d ./contact l ./control.sock s ./email.txt f ./sub d ./sub/answer.txt f ./sub/queue p ./sub/up l "

# --- Published: only the regular files; user.protected.local lists the rest.
check "protectedfs sync" bash -c "'$bin' sync '$mnt' > /dev/null"
schema_keys() {  # the schema's field paths, sorted
  getfattr --absolute-names --only-values -n user.protected.schema "$1" | python3 -c '
import json, sys
def walk(o, p):
    for k, v in o.items():
        yield from walk(v, p + k + ".") if isinstance(v, dict) else [p + k]
print(" ".join(sorted(walk(json.load(sys.stdin), ""))))'
}
check "copy: the schema holds only the regular files" test "$(schema_keys "$mnt/copy")" == "email sub.answer"
check "project: the schema holds only the regular files" test "$(schema_keys "$mnt/project")" == "made_by_mknod notes"
local_of() { attr local "$1" | python3 -c 'import json,sys; print(" ".join(e["path"] + ":" + e["kind"] for e in json.load(sys.stdin)))'; }
check "user.protected.local lists what stays local" test "$(local_of "$mnt/copy")" == \
  "contact:symlink control.sock:socket sub/queue:fifo sub/up:symlink"
check "… with the targets of links" bash -c "getfattr --absolute-names --only-values -n user.protected.local '$mnt/copy' | grep -q '\"target\":\"../email.txt\"'"
check "user.protected.local is listed" bash -c "getfattr --absolute-names -d -m - '$mnt/copy' | grep -q '^user.protected.local='"

# --- They survive an unmount and a kill -9.
stop_daemon
start_daemon "allow_other,cache=$work/cache"
check "remount: rsync -an shows nothing" same_as_source
check "remount: the link" test "$(readlink "$mnt/project/latest")" == notes.txt
check "remount: the device" test "$(stat -c '%F %t,%T' "$mnt/project/null")" == "character special file 1,3"
ln -s email.txt "$mnt/copy/after_remount"
kill_daemon
start_daemon "allow_other,cache=$work/cache"
check "kill -9: a link made before it" test "$(readlink "$mnt/copy/after_remount")" == email.txt
check "kill -9: the FIFO and the socket" test "$(stat -c %F "$mnt/copy/sub/queue" "$mnt/copy/control.sock" | tr '\n' ' ')" == "fifo socket "
check "still published, nothing pending" test "$(attr status "$mnt/copy")" == published
finish
