#!/usr/bin/env bash
# clang's thread-safety analysis over every source file that uses the annotated locks of util/mutex.hpp: state
# marked PFS_GUARDED_BY is touched only with its mutex held, and functions marked PFS_EXCLUDES (the lock order: the
# publisher never calls the file system with its own mutex held) are never called with it held. The build itself
# uses GCC, which ignores the annotations, so this syntax-only pass is where they are checked.
# Exit 77 (skipped) without clang++.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang++ > /dev/null || { echo "clang++ not installed: skipped"; exit 77; }
cd "$root"
mapfile -t files < <(grep -rl --include='*.cpp' -E 'MutexLock|PFS_GUARDED_BY|PFS_EXCLUDES' src | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "no annotated source found"; exit 1; }
flags=(-std=c++20 -fsyntax-only -Wthread-safety -Wthread-safety-beta -Werror -Iinclude -Isrc $(pkg-config --cflags fuse3))
status=0
for f in "${files[@]}"; do
  if clang++ "${flags[@]}" "$f"; then
    echo "ok: $f"
  else
    echo "FAIL: $f"; status=1
  fi
done
exit $status
