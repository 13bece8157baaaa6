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
annotations='MutexLock|ReaderLock|WriterLock|PFS_GUARDED_BY|PFS_REQUIRES|PFS_EXCLUDES|PFS_ACQUIRE'
# The headers that declare annotated state or functions (mutex.hpp itself aside), as their users include them…
mapfile -t includes < <(grep -rl --include='*.hpp' -E "$annotations" src include | grep -v 'util/mutex.hpp$' |
  sed -E 's#^include/##; s#^src/##')
# …so every source file that locks, annotates, or includes one of them: a file that touches guarded state through
# a header is checked even when it names no lock itself. Every file of the core and of the staging store, whatever
# it includes.
mapfile -t files < <({
  grep -rl --include='*.cpp' -E "$annotations" src
  for h in "${includes[@]}"; do grep -rl --include='*.cpp' -F "#include \"$h\"" src || true; done
  ls src/core/*.cpp src/staging/*.cpp
} | sort -u)
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
