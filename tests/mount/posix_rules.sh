#!/usr/bin/env bash
# POSIX's multi-user rules on a mount with allow_other (issue 14), family by family: open, truncate, unlink, rename,
# rmdir, mkdir, chmod, chown, utimensat, write, as root and as a second uid (with and without a second group), each
# refusal with the errno ext4 gives. New nodes take the caller's uid and the gid POSIX gives them (a setgid folder's,
# inherited by new folders); chown and chmod follow Linux's rules (chown_ok, chgrp_ok, setgid dropped for a
# non-member); writes, truncates and chown clear setuid/setgid; sticky folders keep others' entries; ctime moves on
# every change of an inode, a folder's mtime and ctime on every change of its entries; times keep nanoseconds,
# UTIME_NOW and UTIME_OMIT. Owners, modes and times survive a remount. Ends with the count of checks.
# PFS_RULES_REFERENCE=1 runs the same checks in a plain folder of the machine's own file system instead of a mount
# (on ext4 all pass but the one rename between two protected data, EXDEV only in a mount): the expected errnos are
# the kernel's own.
source "$(dirname "$0")/lib.sh"
reference=${PFS_RULES_REFERENCE:-}
if [[ -n "$on_iexec" ]]; then
  echo "local network only: nothing here depends on the network"
  exit 0
fi

chmod 0711 "$work"  # the second uid must reach the mount point
mount_rules() {  # KIND: start (a mount with allow_other), stop, or kill (-9); nothing for the reference folder
  if [[ -n "$reference" ]]; then chmod 0777 "$mnt"; return; fi
  case $1 in
    start) start_daemon "allow_other,cache=$work/cache" ;;
    stop) stop_daemon ;;
    kill) kill_daemon ;;
  esac
}
mount_rules start
grp=4242  # a group only `as_member` is in
as_member() { setpriv --reuid=$other --regid=$other --groups=$grp "$@"; }

# One system call per check, by Python (umask 0, so modes are exactly those asked for): prints 0, the errno's name
# (EACCES…), or for `stat PATH FIELD` the field (mode in octal, uid, gid, size, atime_ns, mtime_ns, ctime_ns).
sys_py="$work/sys.py"
py=/usr/bin/python3  # the system one: a python3 on root's PATH may be out of the second uid's reach (pyenv)
cat > "$sys_py" <<'EOF'
import ctypes, errno, os, stat, sys
os.umask(0)
op, a = sys.argv[1], sys.argv[2:]
def flags(text):
    value = 0
    for name in text.split('|'):
        value |= getattr(os, name)
    return value
class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]
def timespec(text):  # now, omit, or nanoseconds
    if text == "now": return Timespec(0, (1 << 30) - 1)
    if text == "omit": return Timespec(0, (1 << 30) - 2)
    return Timespec(int(text) // 10**9, int(text) % 10**9)
def utimensat(path, atime, mtime):
    libc = ctypes.CDLL(None, use_errno=True)
    times = (Timespec * 2)(timespec(atime), timespec(mtime))
    if libc.utimensat(-100, path.encode(), times, 0) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
try:
    if op == "open":
        os.close(os.open(a[0], flags(a[1]), int(a[2], 8) if len(a) > 2 else 0o644))
    elif op == "write":
        fd = os.open(a[0], os.O_WRONLY | os.O_APPEND); os.write(fd, b"x\n"); os.close(fd)
    elif op == "truncate": os.truncate(a[0], int(a[1]))
    elif op == "ftruncate_ro":
        fd = os.open(a[0], os.O_RDONLY)
        try: os.ftruncate(fd, 0)
        finally: os.close(fd)
    elif op == "unlink": os.unlink(a[0])
    elif op == "rmdir": os.rmdir(a[0])
    elif op == "mkdir": os.mkdir(a[0], int(a[1], 8))
    elif op == "rename": os.rename(a[0], a[1])
    elif op == "chmod": os.chmod(a[0], int(a[1], 8))
    elif op == "chown": os.chown(a[0], int(a[1]), int(a[2]))
    elif op == "utimens": utimensat(a[0], a[1], a[2])
    elif op == "touch": os.utime(a[0])  # times NULL
    elif op == "setxattr": os.setxattr(a[0], a[1], a[2].encode())
    elif op == "removexattr": os.removexattr(a[0], a[1])
    elif op == "symlink": os.symlink(a[0], a[1])
    elif op == "lchown": os.lchown(a[0], int(a[1]), int(a[2]))
    elif op == "mkfifo": os.mkfifo(a[0], int(a[1], 8))
    elif op == "ftruncate":
        fd = os.open(a[0], os.O_RDWR)
        try: os.ftruncate(fd, int(a[1]))
        finally: os.close(fd)
    elif op == "stat":
        st = os.lstat(a[0])
        print({"mode": "%o" % stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid, "size": st.st_size,
               "owner": "%d:%d" % (st.st_uid, st.st_gid), "atime_ns": st.st_atime_ns,
               "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}[a[1]])
        sys.exit(0)
    else: raise SystemExit("unknown op " + op)
    print(0)
except OSError as e:
    print(errno.errorcode[e.errno])
EOF
chmod 0644 "$sys_py"
run_as() {  # WHO OP ARGS...: WHO is root, other (uid and gid 65534, no other group) or member (also in $grp)
  local who=$1; shift
  case $who in
    root) $py "$sys_py" "$@" ;;
    other) as_other $py "$sys_py" "$@" ;;
    member) as_member $py "$sys_py" "$@" ;;
  esac
}
t() {  # WANT WHO OP ARGS...: the call as WHO gives WANT (0 or an errno name)
  local want=$1 who=$2; shift 2
  local got; got=$(run_as "$who" "$@" 2>&1)
  if [[ "$got" == "$want" ]]; then ok; else fail "$who $*: got '$got', want '$want'"; fi
}
is() {  # WANT PATH FIELD: stat's FIELD of PATH (as root)
  local got; got=$(run_as root stat "$2" "$3" 2>&1)
  if [[ "$got" == "$1" ]]; then ok; else fail "$2 $3: got '$got', want '$1'"; fi
}
moves() {  # FIELD PATH WHO OP ARGS...: the call succeeds and FIELD (ctime_ns, mtime_ns) of PATH moves forward
  local field=$1 path=$2 who=$3; shift 3
  local before after got
  before=$(run_as root stat "$path" "$field")
  got=$(run_as "$who" "$@" 2>&1)
  after=$(run_as root stat "$path" "$field")
  if [[ "$got" == 0 && "$after" =~ ^[0-9]+$ && "$after" -gt "$before" ]]; then ok
  else fail "$field of $path after $who $*: got '$got', $before -> $after"; fi
}
old() { run_as root utimens "$1" 1000000000000000000 1000000000000000000 > /dev/null; }  # PATH: times in 2001
mkfile() {  # PATH MODE [WHO]: a file with one line, owned by WHO (root by default), of mode MODE
  run_as "${3:-root}" open "$1" "O_WRONLY|O_CREAT|O_TRUNC" 0644 > /dev/null
  echo data > "$1"
  chmod "$2" "$1"
}

d="$mnt/rules"
mkdir "$d"
chmod 0777 "$d"
# ---------------------------------------------------------------------------------------------------------------------
# open
mkdir -m 0755 "$d/closed" && mkdir -m 0700 "$d/private" && mkfile "$d/private/inner" 0644
mkfile "$d/o600" 0600; mkfile "$d/o644" 0644; mkfile "$d/o666" 0666
t 0 root open "$d/o600" O_RDONLY
t 0 root open "$d/o600" O_RDWR
t EACCES other open "$d/o600" O_RDONLY
t EACCES other open "$d/o600" O_WRONLY
t 0 other open "$d/o644" O_RDONLY
t EACCES other open "$d/o644" O_WRONLY
t EACCES other open "$d/o644" O_RDWR
t EACCES other open "$d/o644" "O_WRONLY|O_TRUNC"
t 0 other open "$d/o666" O_RDWR
t EEXIST root open "$d/o644" "O_WRONLY|O_CREAT|O_EXCL"
t EEXIST other open "$d/o644" "O_WRONLY|O_CREAT|O_EXCL"
t 0 root open "$d/closed/by_root" "O_WRONLY|O_CREAT|O_EXCL" 0640
is 640 "$d/closed/by_root" mode
is 0:0 "$d/closed/by_root" owner
t EACCES other open "$d/closed/by_other" "O_WRONLY|O_CREAT"
t 0 other open "$d/by_other" "O_WRONLY|O_CREAT|O_EXCL" 0604
is 604 "$d/by_other" mode
is "$other:$other" "$d/by_other" owner
t 0 member open "$d/by_member" "O_WRONLY|O_CREAT" 0600
is "$other:$other" "$d/by_member" owner  # the primary gid, not a supplementary one
t ENOENT other open "$d/missing" O_RDONLY
t ENOTDIR root open "$d/o644/x" O_RDONLY
t ENOTDIR root open "$d/o644" "O_RDONLY|O_DIRECTORY"
t EISDIR root open "$d/closed" O_WRONLY
t EISDIR other open "$d/closed" O_RDWR
t EACCES other open "$d/private/inner" O_RDONLY
t 0 root open "$d/private/inner" O_RDONLY
run_as root symlink o644 "$d/link" > /dev/null
t ELOOP root open "$d/link" "O_RDONLY|O_NOFOLLOW"
t 0 other open "$d/link" O_RDONLY
mkfile "$d/g640" 0640; chown ":$grp" "$d/g640"  # the group's modes, for a member by a supplementary group
t 0 member open "$d/g640" O_RDONLY
t EACCES member open "$d/g640" O_WRONLY
t EACCES other open "$d/g640" O_RDONLY
mkdir -m 0770 "$d/gdir"; chown ":$grp" "$d/gdir"
t 0 member open "$d/gdir/by_member" "O_WRONLY|O_CREAT" 0600
t EACCES other open "$d/gdir/by_other" "O_WRONLY|O_CREAT" 0600
t 0 member mkdir "$d/gdir/sub" 0755
t 0 member rmdir "$d/gdir/sub"
t ENAMETOOLONG root open "$d/$(printf 'a%.0s' {1..256})" "O_WRONLY|O_CREAT"

# ---------------------------------------------------------------------------------------------------------------------
# truncate (and write)
mkfile "$d/t644" 0644; mkfile "$d/t666" 0666; mkfile "$d/t_own" 0644 other
t 0 root truncate "$d/t644" 2
is 2 "$d/t644" size
t EACCES other truncate "$d/t644" 0
is 2 "$d/t644" size
t 0 other truncate "$d/t666" 1
is 1 "$d/t666" size
t 0 other truncate "$d/t_own" 100
is 100 "$d/t_own" size
t EISDIR root truncate "$d/closed" 0
t EINVAL root truncate "$d/t644" -1
t ENOENT root truncate "$d/missing" 0
t EINVAL root ftruncate_ro "$d/t644"
t 0 other ftruncate "$d/t666" 7
is 7 "$d/t666" size
moves mtime_ns "$d/t666" other truncate "$d/t666" 3
moves ctime_ns "$d/t666" other truncate "$d/t666" 4
# setuid and setgid: cleared by a write or truncate of another uid, kept by root's.
mkfile "$d/s_write" 6777
t 0 root write "$d/s_write"
is 6777 "$d/s_write" mode
t 0 other write "$d/s_write"
is 777 "$d/s_write" mode
mkfile "$d/s_many" 6777  # writers at once: each one's clearing request succeeds, so does each write
check "four writers of a setuid file at once all succeed" \
  test "$(for _ in 1 2 3 4; do run_as other write "$d/s_many" & done | tr -d '\n'; wait)" == 0000
is 777 "$d/s_many" mode
mkfile "$d/s_group" 6775; chown ":$grp" "$d/s_group"; chmod 6775 "$d/s_group"  # writable through the group
t 0 member write "$d/s_group"
is 775 "$d/s_group" mode
t EACCES other write "$d/s_group"
mkfile "$d/s_trunc" 4766
t 0 other truncate "$d/s_trunc" 0
is 766 "$d/s_trunc" mode
mkfile "$d/s_otrunc" 2777
t 0 other open "$d/s_otrunc" "O_WRONLY|O_TRUNC"
is 777 "$d/s_otrunc" mode
mkfile "$d/s_root_trunc" 6777
t 0 root truncate "$d/s_root_trunc" 0
is 6777 "$d/s_root_trunc" mode
mkfile "$d/s_nogx" 2766  # setgid without group execute marks mandatory locking, not a privilege: a write keeps it
chown ":$grp" "$d/s_nogx"
t 0 member write "$d/s_nogx"
is 2766 "$d/s_nogx" mode
mkfile "$d/s_gx" 2775 other  # setgid with group execute: a write by a member of the group clears it
chown ":$grp" "$d/s_gx"; chmod 2777 "$d/s_gx"
t 0 member write "$d/s_gx"
is 777 "$d/s_gx" mode

# ---------------------------------------------------------------------------------------------------------------------
# unlink (a sticky folder keeps others' entries)
mkfile "$d/closed/u1" 0666
t EACCES other unlink "$d/closed/u1"
t 0 root unlink "$d/closed/u1"
mkfile "$d/u_root" 0600; mkfile "$d/u_other" 0600 other
t 0 other unlink "$d/u_root"  # a 0777 folder, not sticky: the file's modes do not matter
t 0 other unlink "$d/u_other"
t EISDIR root unlink "$d/closed"  # unlink(2) of a folder: EISDIR on Linux
t ENOENT root unlink "$d/missing"
t EACCES other unlink "$d/private/inner"
mkdir -m 1777 "$d/sticky"
mkfile "$d/sticky/root_file" 0666; mkfile "$d/sticky/other_file" 0666 other; mkfile "$d/sticky/r2" 0666
t EPERM other unlink "$d/sticky/root_file"
t 0 other unlink "$d/sticky/other_file"
t 0 root unlink "$d/sticky/r2"
run_as other mkdir "$d/other_sticky" 1777 > /dev/null
mkfile "$d/other_sticky/root_file" 0600
t 0 other unlink "$d/other_sticky/root_file"  # the folder's owner removes anyone's entry
mkfile "$d/u_times" 0644
old "$d"
moves mtime_ns "$d" root unlink "$d/u_times"
mkfile "$d/u_times" 0644
moves ctime_ns "$d" root unlink "$d/u_times"

# ---------------------------------------------------------------------------------------------------------------------
# rename
mkfile "$d/closed/r1" 0666
t EACCES other rename "$d/closed/r1" "$d/closed/r2"
t EACCES other rename "$d/closed/r1" "$d/r1"
t 0 root rename "$d/closed/r1" "$d/closed/r2"
mkfile "$d/r_other" 0600 other
t 0 other rename "$d/r_other" "$d/r_other2"
is "$other:$other" "$d/r_other2" owner
mkfile "$d/sticky/root_file2" 0666; mkfile "$d/sticky/mine" 0666 other
t EPERM other rename "$d/sticky/root_file" "$d/sticky/taken"
t EPERM other rename "$d/sticky/mine" "$d/sticky/root_file"  # over root's entry in a sticky folder
t 0 other rename "$d/sticky/mine" "$d/sticky/mine2"
t 0 root rename "$d/sticky/root_file2" "$d/sticky/root_file3"
t 0 root rename "$d/sticky/mine2" "$d/sticky/root_file3"
mkdir -p "$d/tree/sub/deeper" "$d/tree/full/x"; mkfile "$d/tree/f" 0644
t EINVAL root rename "$d/tree" "$d/tree/sub/tree"
t EISDIR root rename "$d/tree/f" "$d/tree/sub"
t ENOTDIR root rename "$d/tree/sub" "$d/tree/f"
t ENOTEMPTY root rename "$d/tree/sub" "$d/tree/full"
t ENOENT root rename "$d/tree/missing" "$d/tree/g"
mkdir "$mnt/elsewhere"
[[ -n "$reference" ]] || t EXDEV root rename "$d/tree/f" "$mnt/elsewhere/f"
mkfile "$d/rn" 0644
rn_ctime=$(run_as root stat "$d/rn" ctime_ns)
t 0 other rename "$d/rn" "$d/rn2"
check "rename moves the ctime of what it moves" test "$(run_as root stat "$d/rn2" ctime_ns)" -gt "$rn_ctime"
old "$d/tree"
moves mtime_ns "$d/tree" root rename "$d/tree/f" "$d/tree/f2"
old "$d/tree/sub"
moves ctime_ns "$d/tree/sub" root rename "$d/tree/f2" "$d/tree/sub/f"
mkdir -m 0755 "$d/root_dir"
run_as other mkdir "$d/o_target" 0755 > /dev/null
t 0 other rename "$d/root_dir" "$d/root_dir2"  # another's folder, in the same parent: its own modes do not matter
t EACCES other rename "$d/root_dir2" "$d/o_target/root_dir"  # to another parent: its ".." changes, it must be writable
run_as other mkdir "$d/other_dir" 0755 > /dev/null
t 0 other rename "$d/other_dir" "$d/o_target/other_dir"

# ---------------------------------------------------------------------------------------------------------------------
# rmdir
mkdir "$d/closed/e1"
t EACCES other rmdir "$d/closed/e1"
t 0 root rmdir "$d/closed/e1"
run_as other mkdir "$d/e_other" 0755 > /dev/null
t 0 other rmdir "$d/e_other"
t ENOTEMPTY root rmdir "$d/tree"
t ENOTDIR root rmdir "$d/o644"
t ENOENT root rmdir "$d/missing"
t EINVAL root rmdir "$d/tree/."
mkdir "$d/sticky/root_dir" "$d/sticky/root_dir2"
t EPERM other rmdir "$d/sticky/root_dir"
t 0 root rmdir "$d/sticky/root_dir2"
run_as other mkdir "$d/sticky/other_dir" 0755 > /dev/null
t 0 other rmdir "$d/sticky/other_dir"
mkdir "$d/tree/gone"
old "$d/tree"
moves mtime_ns "$d/tree" root rmdir "$d/tree/gone"

# ---------------------------------------------------------------------------------------------------------------------
# mkdir (setgid folders pass their group on, and their setgid bit to new folders)
t 0 root mkdir "$d/m_root" 0750
is 750 "$d/m_root" mode
is 0:0 "$d/m_root" owner
t EACCES other mkdir "$d/closed/m" 0755
t 0 other mkdir "$d/m_other" 0700
is "$other:$other" "$d/m_other" owner
t EEXIST root mkdir "$d/m_root" 0755
t EEXIST other mkdir "$d/o644" 0755
t ENOENT root mkdir "$d/missing/m" 0755
t ENOTDIR root mkdir "$d/o644/m" 0755
t 0 root mkdir "$d/m_sticky" 1777
is 1777 "$d/m_sticky" mode
mkdir "$d/sgid"
chown ":$grp" "$d/sgid"
chmod 2777 "$d/sgid"
t 0 other mkdir "$d/sgid/sub" 0755
is "$other:$grp" "$d/sgid/sub" owner
is 2755 "$d/sgid/sub" mode
t 0 other open "$d/sgid/file" "O_WRONLY|O_CREAT" 0644
is "$other:$grp" "$d/sgid/file" owner
is 644 "$d/sgid/file" mode
t 0 other open "$d/sgid/sub/deeper_file" "O_WRONLY|O_CREAT" 0644
is "$other:$grp" "$d/sgid/sub/deeper_file" owner
t 0 other mkfifo "$d/sgid/fifo" 0600  # special files alike
is "$other:$grp" "$d/sgid/fifo" owner
t 0 other symlink target "$d/sgid/link"
is "$other:$grp" "$d/sgid/link" owner
t 0 other mkdir "$d/m_plain" 0755  # not in a setgid folder: the caller's own gid
is "$other:$other" "$d/m_plain" owner
old "$d/tree"
moves ctime_ns "$d/tree" root mkdir "$d/tree/new" 0755

# ---------------------------------------------------------------------------------------------------------------------
# chmod
mkfile "$d/c_root" 0644; mkfile "$d/c_other" 0644 other
t 0 root chmod "$d/c_root" 0600
is 600 "$d/c_root" mode
t 0 root chmod "$d/c_other" 0640  # root changes anyone's modes
is 640 "$d/c_other" mode
t EPERM other chmod "$d/c_root" 0666
is 600 "$d/c_root" mode
t 0 other chmod "$d/c_other" 0604
is 604 "$d/c_other" mode
t 0 other chmod "$d/c_other" 4755
is 4755 "$d/c_other" mode
t 0 other chmod "$d/c_other" 2755  # its own group: setgid kept
is 2755 "$d/c_other" mode
chown ":$grp" "$d/c_other"
t 0 other chmod "$d/c_other" 2755  # a group it is not in: setgid silently dropped
is 755 "$d/c_other" mode
t 0 member chmod "$d/c_other" 2755  # a member keeps it
is 2755 "$d/c_other" mode
t 0 root chmod "$d/c_root" 2755
is 2755 "$d/c_root" mode
t ENOENT root chmod "$d/missing" 0644
t EPERM other chmod "$d/closed" 0777  # a folder it does not own
t 0 other chmod "$d/m_other" 0750
is 750 "$d/m_other" mode
t EACCES other chmod "$d/private/inner" 0644
moves ctime_ns "$d/c_other" other chmod "$d/c_other" 0644

# ---------------------------------------------------------------------------------------------------------------------
# chown (the owner: root only; the group: root, or the owner to one of its groups)
mkfile "$d/w_root" 0644; mkfile "$d/w_other" 0644 other
t 0 root chown "$d/w_root" "$other" "$other"
is "$other:$other" "$d/w_root" owner
t 0 root chown "$d/w_root" 0 -1
is "0:$other" "$d/w_root" owner
t 0 root chown "$d/w_root" -1 0
is 0:0 "$d/w_root" owner
t EPERM other chown "$d/w_other" 0 -1
t EPERM other chown "$d/w_other" 1000 -1
t 0 other chown "$d/w_other" "$other" -1  # to itself: allowed, changes nothing
t EPERM other chown "$d/w_other" -1 "$grp"  # a group it is not in
t EPERM other chown "$d/w_other" -1 0
is "$other:$other" "$d/w_other" owner
t 0 member chown "$d/w_other" -1 "$grp"
is "$other:$grp" "$d/w_other" owner
t 0 other chown "$d/w_other" -1 "$grp"  # the group it already has
t 0 other chown "$d/w_other" -1 "$other"  # back to its primary group
is "$other:$other" "$d/w_other" owner
t EPERM other chown "$d/w_root" -1 "$other"  # not its file
t EPERM member chown "$d/w_root" -1 "$grp"
t 0 other chown "$d/w_other" -1 -1
t 0 other symlink w_other "$d/w_link"
t EPERM other lchown "$d/w_link" 0 -1  # a symlink's owner: the same rules
t 0 member lchown "$d/w_link" -1 "$grp"
is "$other:$grp" "$d/w_link" owner
t 0 root lchown "$d/w_link" 0 0
is 0:0 "$d/w_link" owner
is "$other:$other" "$d/w_other" owner  # the link's target is untouched
t ENOENT root chown "$d/missing" 0 0
moves ctime_ns "$d/w_other" root chown "$d/w_other" "$other" "$other"
# chown clears setuid, and setgid where the group executes (root's chown too, as Linux does); -1/-1 keeps them.
mkfile "$d/k1" 6755 other
t 0 other chown "$d/k1" -1 -1  # as on ext4: even -1/-1 clears them
is 755 "$d/k1" mode
chmod 6755 "$d/k1"
t 0 other chown "$d/k1" "$other" -1
is 755 "$d/k1" mode
t 0 other chown "$d/o644" -1 -1  # not its file: -1/-1 asks for nothing…
mkfile "$d/k_root" 4755
t EPERM other chown "$d/k_root" -1 -1  # …unless it would clear another's setuid
is 4755 "$d/k_root" mode
mkfile "$d/k2" 6755
t 0 root chown "$d/k2" "$other" -1
is 755 "$d/k2" mode
mkfile "$d/k3" 6745  # setgid without group execute is kept
t 0 root chown "$d/k3" -1 "$grp"
is 2745 "$d/k3" mode
mkdir "$d/kdir"
chmod 6755 "$d/kdir"
t 0 root chown "$d/kdir" "$other" "$other"  # folders keep theirs
is 6755 "$d/kdir" mode

# ---------------------------------------------------------------------------------------------------------------------
# utimensat: explicit times the owner's or root's (EPERM), the current time a writer's too (EACCES)
mkfile "$d/ut644" 0644; mkfile "$d/ut666" 0666; mkfile "$d/ut_own" 0600 other
t 0 root utimens "$d/ut644" 1000000000123456789 1000000001987654321
is 1000000000123456789 "$d/ut644" atime_ns
is 1000000001987654321 "$d/ut644" mtime_ns
t EPERM other utimens "$d/ut666" 1000000000000000000 1000000000000000000
t EPERM other utimens "$d/ut644" 1000000000000000000 1000000000000000000
t EPERM other utimens "$d/ut666" now 1000000000000000000
t 0 other utimens "$d/ut666" now now
t 0 other touch "$d/ut666"
t EACCES other utimens "$d/ut644" now now
t EACCES other touch "$d/ut644"
mkfile "$d/ut664" 0664; chown ":$grp" "$d/ut664"
t 0 member utimens "$d/ut664" now now  # a writer through a supplementary group
t 0 member touch "$d/ut664"
t EPERM member utimens "$d/ut664" 1000000000000000000 omit
t 0 other utimens "$d/ut_own" 1200000000000000001 1200000000000000002
is 1200000000000000001 "$d/ut_own" atime_ns
is 1200000000000000002 "$d/ut_own" mtime_ns
t 0 root utimens "$d/ut_own" 1300000000000000003 omit  # UTIME_OMIT keeps the mtime
is 1300000000000000003 "$d/ut_own" atime_ns
is 1200000000000000002 "$d/ut_own" mtime_ns
t 0 root utimens "$d/ut_own" omit 1300000000000000004
is 1300000000000000003 "$d/ut_own" atime_ns
is 1300000000000000004 "$d/ut_own" mtime_ns
t 0 root utimens "$d/ut_own" omit omit
is 1300000000000000004 "$d/ut_own" mtime_ns
moves mtime_ns "$d/ut_own" other utimens "$d/ut_own" omit now
moves atime_ns "$d/ut_own" other utimens "$d/ut_own" now omit
moves ctime_ns "$d/ut644" root utimens "$d/ut644" 1000000000000000000 1000000000000000000
mkfile "$d/ut_keep" 0644 other
t 0 other utimens "$d/ut_keep" 1400000000000000005 1400000000999999999
t ENOENT root utimens "$d/missing" now now
t EPERM other utimens "$d/closed" 1000000000000000000 1000000000000000000  # folders alike
t EACCES other utimens "$d/closed" now now
t 0 other utimens "$d" now now  # a 0777 folder: any writer touches it

# ---------------------------------------------------------------------------------------------------------------------
# extended attributes: ctime moves
mkfile "$d/x" 0666
moves ctime_ns "$d/x" root setxattr "$d/x" user.note one
moves ctime_ns "$d/x" other setxattr "$d/x" user.note two
moves ctime_ns "$d/x" root removexattr "$d/x" user.note

# ---------------------------------------------------------------------------------------------------------------------
# A remount keeps owners, groups, modes (setuid, setgid, sticky) and nanosecond times.
mount_rules stop
mount_rules start
is "$other:$grp" "$d/sgid/sub" owner
is 2755 "$d/sgid/sub" mode
is "$other:$other" "$d/by_other" owner
is 2755 "$d/c_root" mode
is 2745 "$d/k3" mode
is 1777 "$d/sticky" mode
is 1400000000000000005 "$d/ut_keep" atime_ns
is 1400000000999999999 "$d/ut_keep" mtime_ns
t EPERM other unlink "$d/sticky/root_file"
t EPERM other chown "$d/w_root" -1 "$other"
# …and a kill -9 right after the changes (every change is in RocksDB's write-ahead log when the call returns).
t 0 root chown "$d/by_other" 0 "$grp"
t 0 root chmod "$d/c_root" 4711
t 0 root utimens "$d/ut_keep" 1500000000000000007 omit
mount_rules kill
mount_rules start
is "0:$grp" "$d/by_other" owner
is 4711 "$d/c_root" mode
is 1500000000000000007 "$d/ut_keep" atime_ns
is 1400000000999999999 "$d/ut_keep" mtime_ns

finish || exit 1
echo "posix_rules: $passed checks passed"
