#!/usr/bin/env bash
# The POSIX side of the mount (issues 9 and 10). A second local uid under allow_other gets what the modes allow and
# nothing that acts with the wallet (the kernel checks the modes: default_permissions; the daemon refuses the rest).
# A file unlinked or renamed over while open stays readable and writable until its last close, then its staged
# bytes go. Concurrent appends, ftruncate, a sparse write far past the end, utimensat (nanoseconds, UTIME_OMIT,
# UTIME_NOW) and chmod behave as on ext4; atime is stored; a name over 255 bytes is ENAMETOOLONG.
source "$(dirname "$0")/lib.sh"
if [[ -n "$on_iexec" ]]; then
  echo "local network only: nothing here depends on the network"
  exit 0
fi

chmod 0711 "$work"  # the second uid must reach the mount point
start_daemon "allow_other,cache=$work/cache"
staged_file() { printf '%s/cache/staging/%016x.stg' "$work" "$(stat -c %i "$1")"; }  # the bytes of PATH, staged

# --- A second uid: the modes decide what it reads and adds; the wallet is the owner's only.
mkdir "$mnt/shared"
printf 'secret\n' > "$mnt/shared/secret.txt"
chmod 0600 "$mnt/shared/secret.txt"
printf 'public\n' > "$mnt/shared/public.txt"
check "another uid reads a 0644 file" test "$(as_other cat "$mnt/shared/public.txt")" == public
refuses "another uid reads a 0600 file" "Permission denied" as_other cat "$mnt/shared/secret.txt"
refuses "another uid appends to a 0644 file" "Permission denied" as_other sh -c "echo evil >> '$mnt/shared/public.txt'"
check "the 0644 file is unchanged" test "$(cat "$mnt/shared/public.txt")" == public
refuses "another uid chmods" "Operation not permitted" as_other chmod 0666 "$mnt/shared/public.txt"
refuses "another uid creates in a 0755 folder" "Permission denied" as_other touch "$mnt/shared/x"
refuses "another uid makes a protected data (root 0755)" "Permission denied" as_other mkdir "$mnt/evil"
# The owner opens the modes: the daemon still keeps what acts with the wallet for the mounting uid.
chmod 0777 "$mnt" "$mnt/shared"
refuses "another uid makes a protected data (root 0777)" "Permission denied" as_other mkdir "$mnt/evil"
check "… with one log line" test "$(grep -c "uid $other may not create the protected data \"evil\"" "$work/daemon.log")" -eq 1
app=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
refuses "another uid grants" "Permission denied" \
  as_other setfattr -n "user.protected.grant.any.$app" -v count=unlimited "$mnt/shared"
refuses "another uid revokes" "Permission denied" as_other setfattr -x "user.protected.grants" "$mnt/shared"
refuses "another uid transfers" "Permission denied" \
  as_other setfattr -n user.protected.owner -v 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 "$mnt/shared"
refuses "another uid removes a protected data" "Permission denied" as_other rmdir "$mnt/shared"
check "no grant was made" test "$(attr grants "$mnt/shared")" == "[]"
check "another uid adds a file where the modes allow it" as_other sh -c "echo mine > '$mnt/shared/mine.txt'"
check "another uid makes a folder there" as_other mkdir "$mnt/shared/sub"
check "… both owned by that uid and gid" test "$(stat -c %u:%g "$mnt/shared/mine.txt" "$mnt/shared/sub" | sort -u)" == "$other:$other"
refuses "another uid sets a type" "Permission denied" as_other setfattr -n user.protected.type -v string "$mnt/shared/mine.txt"
check "another uid sets its own local attribute" as_other setfattr -n user.note -v mine "$mnt/shared/mine.txt"

# --- Lifecycle: unlinked or renamed over while open.
mkdir "$mnt/life"
printf 'original\n' > "$mnt/life/a.txt"
a_staged=$(staged_file "$mnt/life/a.txt")
check "a.txt is staged" test -f "$a_staged"
check "open, unlink, read and write through the descriptor, close" python3 - "$mnt/life/a.txt" "$a_staged" <<'EOF'
import os, sys
path, staged = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDWR)
os.unlink(path)
assert not os.path.exists(path)
assert os.pread(fd, 100, 0) == b'original\n'
os.pwrite(fd, b'more\n', 9)
assert os.pread(fd, 100, 0) == b'original\nmore\n'
st = os.fstat(fd)
assert st.st_nlink == 0 and st.st_size == 14, st
assert os.path.exists(staged), "the bytes went while open"
os.close(fd)
EOF
check "its staged bytes go after the last close" wait_for 5 test ! -e "$a_staged"

printf 'old\n' > "$mnt/life/config"
old_staged=$(staged_file "$mnt/life/config")
check "rename over an open file" python3 - "$mnt/life" <<'EOF'
import os, sys
d = sys.argv[1]
fd = os.open(d + "/config", os.O_RDONLY)
with open(d + "/.config.new", "w") as f:
    f.write("new\n")
os.rename(d + "/.config.new", d + "/config")
assert os.pread(fd, 100, 0) == b'old\n'
assert open(d + "/config").read() == "new\n"
os.close(fd)
EOF
check "the replaced file's bytes go after its last close" wait_for 5 test ! -e "$old_staged"

: > "$mnt/life/log.txt"
pids=()
for writer in 1 2 3 4; do
  python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
for i in range(200):
    os.write(fd, ("%s %03d %s\n" % (sys.argv[2], i, "x" * 40)).encode())
os.close(fd)' "$mnt/life/log.txt" "$writer" &
  pids+=($!)
done
wait "${pids[@]}"
check "concurrent appends: every line, whole, each writer's in order" python3 - "$mnt/life/log.txt" <<'EOF'
import sys, collections
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "" and len(lines) == 801, len(lines)
seen = collections.defaultdict(list)
for line in lines[:-1]:
    writer, i, pad = line.split(" ")
    assert pad == "x" * 40, line
    seen[writer].append(int(i))
assert all(seen[w] == list(range(200)) for w in "1234"), seen.keys()
EOF

check "ftruncate shrinks and grows (zeros)" python3 - "$mnt/life/trunc.bin" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, bytes(range(256)) * 40)
os.ftruncate(fd, 100)
assert os.fstat(fd).st_size == 100
assert os.pread(fd, 200, 0) == bytes(range(100))
os.ftruncate(fd, 50000)
assert os.fstat(fd).st_size == 50000
data = os.pread(fd, 60000, 0)
assert data == bytes(range(100)) + bytes(49900), len(data)
os.close(fd)
EOF

# A sparse write 8 GiB past the end: no memory spike in the daemon, a hole on disk (a dot-file: never published).
hwm() { awk '/VmHWM/{print $2}' "/proc/${daemons[$mnt]}/status"; }
before=$(hwm)
check "a write 8 GiB past the end, holes read as zeros" python3 - "$mnt/life/.sparse" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
far = 8 << 30
os.pwrite(fd, b'end', far)
assert os.fstat(fd).st_size == far + 3
assert os.pread(fd, 4096, far - 4096) == bytes(4096)
assert os.pread(fd, 4096, far // 2) == bytes(4096)
assert os.pread(fd, 10, far) == b'end'
os.close(fd)
EOF
check "… peak RSS grew by less than 32 MiB ($before → $(hwm) KiB)" test $(($(hwm) - before)) -lt 32768
check "… and the staged file is sparse" test "$(du -k "$(staged_file "$mnt/life/.sparse")" | cut -f1)" -lt 1024
rm "$mnt/life/.sparse"

# --- Times and modes.
printf 't\n' > "$mnt/life/times.txt"
check "utimensat: atime and mtime with nanoseconds" python3 - "$mnt/life/times.txt" <<'EOF'
import os, sys
os.utime(sys.argv[1], ns=(1000000000123456789, 1000000001987654321))
st = os.stat(sys.argv[1])
assert (st.st_atime_ns, st.st_mtime_ns) == (1000000000123456789, 1000000001987654321), st
EOF
touch -a -d @1000000003.5 "$mnt/life/times.txt"  # UTIME_OMIT for the mtime
check "touch -a: the atime alone" test "$(stat -c '%X %Y' "$mnt/life/times.txt")" == "1000000003 1000000001"
touch -m -d @1000000004 "$mnt/life/times.txt"  # UTIME_OMIT for the atime
check "touch -m: the mtime alone" test "$(stat -c '%X %Y' "$mnt/life/times.txt")" == "1000000003 1000000004"
touch -a "$mnt/life/times.txt"  # UTIME_NOW
check "touch -a: now" test "$(stat -c %X "$mnt/life/times.txt")" -ge "$(($(date +%s) - 60))"
touch -a -d @1000000005 "$mnt/life/times.txt"
cat "$mnt/life/times.txt" > /dev/null
atime_after_read() { [[ $(stat -c %X "$mnt/life/times.txt") -gt 1000000005 ]]; }
check "a read updates an atime older than the last change (relatime)" wait_for 3 atime_after_read
chmod 0640 "$mnt/life/times.txt"
check "chmod" test "$(stat -c %a "$mnt/life/times.txt")" == 640
touch -d @1000000006.25 "$mnt/life/times.txt"

# --- A folder's mtime and ctime follow its entries (POSIX), stored with them (checked again after the remount).
mkdir "$mnt/life/folder"
touch -d @1000000000 "$mnt/life/folder"
before=$(stat -c %Y.%Z "$mnt/life/folder")
printf 'x\n' > "$mnt/life/folder/new.txt"
folder_times=$(stat -c %Y.%Z "$mnt/life/folder")
check "a file created in a folder sets its mtime and ctime" \
  test "$folder_times" != "$before" -a "${folder_times%.*}" -gt 1000000000 -a "${folder_times%.*}" == "${folder_times#*.}"
printf 'y\n' > "$mnt/life/folder/kept.txt"
touch -d @1000000000 "$mnt/life/folder"
rm "$mnt/life/folder/new.txt"
folder_times=$(stat -c %Y.%Z "$mnt/life/folder")
check "… and an unlink too" test "${folder_times%.*}" -gt 1000000000

# --- Names over NAME_MAX.
long=$(printf 'a%.0s' $(seq 256))
refuses "a name over 255 bytes: stat" "File name too long" stat "$mnt/life/$long"
refuses "… and create" "File name too long" touch "$mnt/life/$long"
refuses "… stat again (no negative entry cached)" "File name too long" stat "$mnt/life/$long"

# --- A listing read one page at a time (as kernels whose FUSE readdir requests are one page, or Go's 8 KiB
# buffers): every entry once, with its attributes, the same as one large read gives.
mkdir "$mnt/life/many"
for i in $(seq 300); do printf '%d' "$i" > "$mnt/life/many/file-$i.txt"; done
paged() { python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
number = {"x86_64": 217, "aarch64": 61}[os.uname().machine]  # getdents64
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
buf = ctypes.create_string_buffer(4096)
names, calls = [], 0
while (n := libc.syscall(number, fd, buf, len(buf))) != 0:
    if n < 0: raise OSError(ctypes.get_errno(), "getdents64")
    raw, pos, calls = buf.raw[:n], 0, calls + 1
    while pos < n:
        reclen = struct.unpack_from("H", raw, pos + 16)[0]
        names.append(raw[pos + 19:pos + reclen].split(b"\0", 1)[0].decode())
        pos += reclen
assert calls > 5, calls
for name in sorted(names): print(name)' "$1"; }
check "a listing read 4 KiB at a time" test "$(paged "$mnt/life/many")" == "$(ls -a "$mnt/life/many" | LC_ALL=C sort)"
check "… with each entry's attributes" test "$(stat -c %s "$mnt/life/many/file-300.txt")" == 3

# --- What survives a remount.
stop_daemon
start_daemon "allow_other,cache=$work/cache"
check "remount: times with nanoseconds" python3 -c '
import os, sys
st = os.stat(sys.argv[1])
assert (st.st_atime_ns, st.st_mtime_ns) == (1000000006250000000, 1000000006250000000), st' "$mnt/life/times.txt"
check "remount: a folder's times" test "$(stat -c %Y.%Z "$mnt/life/folder")" == "$folder_times"
check "remount: mode" test "$(stat -c %a "$mnt/life/times.txt")" == 640
check "remount: owner of another uid's file" test "$(stat -c %u:%g "$mnt/shared/mine.txt")" == "$other:$other"
check "remount: the unlinked files are gone" test ! -e "$mnt/life/a.txt" -a "$(cat "$mnt/life/config")" == new
finish
