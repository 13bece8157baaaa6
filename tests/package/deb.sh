#!/usr/bin/env bash
# The Debian package, as a user gets it: `cpack -G DEB` builds protectedfs_VERSION_amd64.deb from this build, lintian
# finds no error in it, `dpkg -i` installs it, `mount -t protectedfs` mounts through the installed /sbin helper, the
# user unit's ExecStart mounts in the foreground and a SIGTERM (what `systemctl stop` sends) unmounts, and
# `dpkg -r` removes every file it installed. CI containers have no systemd user manager: the test then runs the
# unit's ExecStart line itself, with the unit's environment (HOME, XDG_CONFIG_HOME), as `systemctl --user start`
# would; where a user manager answers (`systemctl --user is-system-running`) it goes through systemd-run --user.
# Needs root (dpkg, mount) and /dev/fuse; exit 77 (skipped) otherwise, or when a protectedfs package is already
# installed on this machine (the test must not remove someone's install). Usage: deb.sh BUILD_DIR
set -uo pipefail
export LC_ALL=C  # the checks compare error texts (strerror, tools' messages) in English
build=$(realpath "$1")
# Skipped (77) where it cannot run; in CI (CI=true) that is a failure: the package must be proven there.
skip() { echo "$1: skipped"; [[ ${CI:-} == true ]] && { echo "FAIL: CI=true, the package test must run"; exit 1; }; exit 77; }
[[ $(id -u) -eq 0 && -e /dev/fuse ]] || skip "needs root and /dev/fuse"
for tool in cpack dpkg lintian fusermount3; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps.sh --test)"
done
# One package test at a time on a machine (builds in other checkouts too): they install the same package and
# the mount tests may link /sbin/mount.protectedfs meanwhile.
exec 9>/run/lock/protectedfs-sbin-helper.lock
flock -w 600 9 || { echo "another package test holds the lock"; exit 1; }
if dpkg-query -W -f='${Status}' protectedfs 2>/dev/null | grep -q installed; then
  skip "a protectedfs package is already installed here (the test would remove it)"
fi

work=$(mktemp -d /tmp/pfs-package-test.XXXXXX)
passed=0; failed=0
check() { local what=$1; shift; if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi; }
service_pid=""
cleanup() {
  [[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null
  for m in "$work"/home/*; do mountpoint -q "$m" 2>/dev/null && fusermount3 -u -z "$m"; done
  dpkg-query -W protectedfs >/dev/null 2>&1 && dpkg -r protectedfs >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
wait_for() { local seconds=$1; shift; for _ in $(seq $((seconds * 10))); do "$@" && return 0; sleep 0.1; done; return 1; }

# Build the package.
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb="$work/out/protectedfs_${version}_amd64.deb"
check "cpack names the package protectedfs_VERSION_amd64.deb" test -f "$deb"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for path in /usr/bin/protectedfs /sbin/mount.protectedfs /usr/share/man/man1/protectedfs.1.gz \
            /usr/share/man/man8/mount.protectedfs.8.gz /usr/share/bash-completion/completions/protectedfs \
            /usr/lib/systemd/user/protectedfs@.service /usr/libexec/protectedfs/protectedfs-service \
            /usr/share/doc/protectedfs/copyright /usr/share/doc/protectedfs/changelog.gz; do
  check "package holds $path" grep -qx "$path" <<<"$contents"
done
depends=$(dpkg-deb -f "$deb" Depends)
check "dpkg-shlibdeps found the libraries (Depends: $depends)" grep -q "libfuse3-3" <<<"$depends"
check "Depends names librocksdb" grep -q "librocksdb" <<<"$depends"
lintian --no-tag-display-limit "$deb" >"$work/lintian.log" 2>&1
check "lintian reports no error" bash -c "! grep '^E:' '$work/lintian.log'"
grep '^E:' "$work/lintian.log"

# Install it.
check "dpkg -i" dpkg -i "$deb"
check "protectedfs on PATH is the package's" test "$(command -v protectedfs)" = /usr/bin/protectedfs
check "protectedfs --version" bash -c "protectedfs --version | grep -q '$version'"
check "man page installed" bash -c "man -w protectedfs | grep -q /usr/share/man/man1/protectedfs.1.gz"
check "bash completion completes subcommands" bash -c \
  "source /usr/share/bash-completion/completions/protectedfs; COMP_WORDS=(protectedfs us); COMP_CWORD=1; _protectedfs; [[ \${COMPREPLY[*]} == usage ]]"
check "bash completion completes mount options" bash -c \
  "source /usr/share/bash-completion/completions/protectedfs; COMP_WORDS=(protectedfs ~/P -o wall); COMP_CWORD=3; _protectedfs; [[ \${COMPREPLY[*]} == wallet= ]]"
unit=/usr/lib/systemd/user/protectedfs@.service
check "the unit restarts on failure" grep -qx 'Restart=on-failure' "$unit"
check "the unit detaches a dead mount after a crash" grep -q '^ExecStopPost=-/bin/fusermount3 -u -z %h/%I$' "$unit"

# A user's home, wallet and local network under $work: nothing of the test lands in the real home.
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
mkdir -p "$XDG_CONFIG_HOME/protectedfs" "$HOME/viamount"
printf 'package test password\n' >"$XDG_CONFIG_HOME/protectedfs/password"
chmod 600 "$XDG_CONFIG_HOME/protectedfs/password"
mkdir -p "$work/folder/medical" && echo "alice@example.com" >"$work/folder/medical/email.txt"

# Through mount(8): the installed /sbin helper finds the installed daemon.
check "mount -t protectedfs" mount -t protectedfs "local:$work/network" "$HOME/viamount" \
  -o "password_file=$XDG_CONFIG_HOME/protectedfs/password,publish_delay=100"
check "mounted by mount(8)" wait_for 10 mountpoint -q "$HOME/viamount"
check "the mount takes a folder" cp -r "$work/folder/medical" "$HOME/viamount/"
check "and publishes it" wait_for 30 bash -c "getfattr --only-values -n user.protected.status '$HOME/viamount/medical' 2>/dev/null | grep -q published"
check "umount" umount "$HOME/viamount"
check "daemon gone after umount" wait_for 20 bash -c "! pgrep -f '[p]rotectedfs $HOME/viamount' >/dev/null"

# Through the user unit: instance "data-Protected" is ~/data/Protected.
echo 'PROTECTEDFS_OPTIONS="network=local:'"$work"'/network,publish_delay=100"' >"$XDG_CONFIG_HOME/protectedfs/data-Protected.env"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
mnt="$HOME/data/Protected"
command_line=${exec_start//%h/$HOME}; command_line=${command_line//%I/data\/Protected}
check "ExecStart names the instance's folder" test "$command_line" = "/usr/libexec/protectedfs/protectedfs-service $mnt"
if systemctl --user is-system-running >/dev/null 2>&1; then
  echo "a systemd user manager answers: the unit runs through systemd-run --user"
  systemd-run --user --unit=pfs-package-test --property=EnvironmentFile="$XDG_CONFIG_HOME/protectedfs/data-Protected.env" \
    --setenv=XDG_CONFIG_HOME="$XDG_CONFIG_HOME" --setenv=XDG_DATA_HOME="$XDG_DATA_HOME" --setenv=HOME="$HOME" \
    $command_line >/dev/null
  stop_service() { systemctl --user stop pfs-package-test; }
else
  echo "no systemd user manager (a CI container): running the unit's ExecStart directly, with its EnvironmentFile"
  (set -a; source "$XDG_CONFIG_HOME/protectedfs/data-Protected.env"; set +a; exec $command_line) >"$work/service.log" 2>&1 &
  service_pid=$!
  stop_service() { kill -TERM "$service_pid"; wait "$service_pid"; local status=$?; service_pid=""; return $status; }
fi
check "the service mounts ~/data/Protected" wait_for 15 mountpoint -q "$mnt"
check "in the foreground: the service's process is the daemon" bash -c "[[ -z '$service_pid' ]] || grep -q protectedfs /proc/$service_pid/comm"
check "the same wallet's data is there" wait_for 15 test -d "$mnt/medical"
check "stop (SIGTERM) ends the daemon cleanly" stop_service
check "and unmounts" bash -c "! mountpoint -q '$mnt'"
[[ $failed -gt 0 && -f $work/service.log ]] && sed 's/^/  service: /' "$work/service.log" | tail -5

# Remove it: nothing of the package is left.
check "dpkg -r" dpkg -r protectedfs
for path in $contents; do
  [[ $path == */ ]] && continue
  check "removed: $path" test ! -e "$path" -a ! -L "$path"
done
check "dpkg forgot it" bash -c "! dpkg-query -W -f='\${Status}' protectedfs 2>/dev/null | grep -q ' installed'"
check "no daemon left" bash -c "! pgrep -f '[p]rotectedfs $work' >/dev/null"

echo "package: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
