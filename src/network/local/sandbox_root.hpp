// The file system an isolated iApp sees (sandbox.hpp), as a list of steps planned by the runner and carried out by
// the sandbox's first process inside its new mount namespace:
//
//   /                     a small tmpfs, made read-only once built
//   /usr, /bin, /lib*…    the host's system folders, read-only (top-level symlinks such as /bin -> usr/bin copied)
//   /etc                  only what programs need to start (the loader's cache, alternatives, time zone), and a
//                         passwd/group naming the sandbox's user; nothing else of the host's /etc
//   /dev                  null, zero, full, random, urandom (the host's device nodes, bound one by one)
//   /proc                 the sandbox's own (its PID namespace: the app sees only its own processes)
//   /tmp                  a fresh tmpfs, at most the output limit
//   /iexec_app            the app's executable, read-only
//   the task's folders    at their host paths: IEXEC_IN read-only, IEXEC_OUT read-write (the only writable place
//                         besides /tmp), any --read-only path read-only (their parents are empty folders)
//
// Planning allocates; carrying out does not (the first process is a clone of a possibly multi-threaded runner, so it
// only makes system calls on memory prepared before the clone).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace pfs::network::local {

struct RootStep {
  enum class Kind {
    Directory,  // mkdir (nothing if it exists)
    Symlink,    // symlink(source, target)
    File,       // a file with `source` as content
    Tmpfs,      // tmpfs with options `source`
    Proc,       // the PID namespace's proc
    Device,     // bind the host's device node `source` onto an empty file
    Bind,       // bind the host's `source` onto the target (cloned before anything covers it: see build_root)
  };
  Kind kind;
  std::string target;  // absolute, under kBuildRoot
  std::string source;
  bool read_only = true;
  bool is_directory = true;  // for Bind: the target to create is a folder, else a file
  int tree = -1;             // for Bind: the detached copy of the source's mount (open_tree), inside the sandbox
};

// Where the new root is assembled before pivot_root: the host's /tmp, covered in the sandbox's own mount namespace
// (so every bound path, the task's folders under /tmp included, is cloned first: see build_root).
inline constexpr const char* kBuildRoot = "/tmp";

struct RootPlan {
  std::vector<RootStep> steps;
  std::string describe(std::size_t step) const;  // "bind /usr" etc., for an error message
};

// `passwd` and `group` are the files to write in /etc; `bound` are (host path, path inside, read only?, folder?) for
// the task's own files, mounted last in the order given.
struct BoundPath {
  std::string source;
  std::filesystem::path inside;
  bool read_only;
  bool is_directory;
};
RootPlan plan_root(const std::vector<BoundPath>& bound, uint64_t tmp_bytes, const std::string& passwd,
                   const std::string& group);

// Carries the plan out in the sandbox's new mount namespace, pivots into the new root and makes it read-only: every
// bound source is first cloned as a detached mount (open_tree) while the host's tree is still in view, then each
// step runs in order. Async-signal-safe (it only fills in the steps' `tree`). Returns 0, or the errno of the failed
// step with its index in *failed_step (the number of steps for the final pivot).
int build_root(RootPlan& plan, std::size_t* failed_step);

}  // namespace pfs::network::local
