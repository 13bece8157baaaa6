#!/usr/bin/env bash
# The first command: installs what is missing, builds, and mounts protectedfs on ~/Protected (or $1) with the
# embedded local network. A wallet is created on the first mount (password from PROTECTEDFS_PASSWORD, or asked).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh protectedfs  # only what running needs: not the unit tests
mnt=${1:-$HOME/Protected}
mkdir -p "$mnt"
if mountpoint -q "$mnt"; then echo "already mounted on $mnt"; exit 0; fi
build/src/protectedfs "$mnt"
cat <<MSG
protectedfs is mounted on $mnt (network: local). Try:
  cp -r examples/medical $mnt/            # protect a folder: it is published after 2 s of quiet
  build/src/protectedfs sync $mnt         # wait until it is published
  getfattr -d -m - $mnt/medical           # schema, status, address, checksum…
  fusermount3 -u $mnt                     # unmount
MSG
