#!/usr/bin/env bash
# Every C++ file of the project is formatted as .clang-format says (Debian's clang-format): a file that drifts fails
# the run, naming the file and line. `git ls-files '*.cpp' '*.hpp' | xargs clang-format -i` fixes it.
# Exit 77 (skipped) without clang-format.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang-format > /dev/null || { echo "clang-format not installed: skipped"; exit 77; }
cd "$root"
mapfile -t files < <(find src include tests mount-helper bench examples -name node_modules -prune -o \
                       \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print 2>/dev/null | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "no C++ source found"; exit 1; }
clang-format --dry-run -Werror "${files[@]}"
echo "${#files[@]} files formatted as .clang-format says"
