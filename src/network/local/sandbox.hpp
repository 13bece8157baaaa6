// The local worker's isolation of an iApp: each run in its own user, mount, PID, IPC, UTS, cgroup and network
// namespaces, as an unprivileged user, within limits.
//
//   network      none: a network namespace of its own with only a loopback that is down
//   files        a root of its own (sandbox_root.hpp): the system read-only, a fresh /tmp, IEXEC_IN read-only,
//                IEXEC_OUT the only other writable place; the host's other files (its users' data, the network's
//                secret store, protectedfs's wallets) do not exist there
//   user         uid/gid 1000 inside ("iapp"); outside, the caller's own uid, or nobody (65534) when the runner is
//                root (IEXEC_IN and IEXEC_OUT are then handed to that uid); no capabilities, no_new_privs, setuid
//                bits ignored
//   processes    its own PID namespace: the app sees only its own processes, and when the app's main process ends
//                every process it left is killed with it
//   system calls the ones that look paths up or reach an address are seen by the runner (sandbox_filter.hpp,
//                sandbox_supervisor.hpp): any process of the app that tries to reach the network, to write outside
//                IEXEC_OUT and /tmp, or to look up a hidden host path (SandboxedRun::hidden) gets an error, and the
//                runner names the first such try as the reason the run failed; io_uring is refused
//   limits       AppLimits (network.hpp): wall time (the runner kills it), CPU time (RLIMIT_CPU per process, and the
//                total of all its processes sampled), memory (a memory cgroup of its own where the runner may make
//                one, sandbox_cgroup.hpp: past it the kernel kills it; else RLIMIT_DATA per process, past which an
//                allocation fails with ENOMEM in the app), processes and threads (RLIMIT_NPROC; an app found at the
//                limit is stopped, so a fork bomb ends in a fraction of a second), output (RLIMIT_FSIZE per file, the
//                whole of IEXEC_OUT sampled and checked at the end, /tmp a tmpfs of that size)
//   terminal     none: stdin is /dev/null, stdout and stderr a pipe the runner copies to its stderr (so the app
//                cannot reach the caller's terminal), while a Ctrl-C still stops the app (it stays in the caller's
//                process group) but not the runner (SIGINT and SIGQUIT ignored while it waits, as system(3) does)
//
// Refuses to run the app at all (an Error) when the namespaces cannot be made, e.g. where user namespaces are
// disabled: it never falls back to running it unconfined.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "network/local/sandbox_access.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

struct SandboxedRun {
  std::filesystem::path executable;  // bound read-only at /iexec_app, what the app's argv[0] names
  std::vector<std::string> args;
  std::vector<std::string> environment;
  std::filesystem::path in_dir;   // read-only, at its host path
  std::filesystem::path out_dir;  // read-write, at its host path
  std::filesystem::path cwd;      // the app's working directory (created inside, empty apart from the above)
  std::vector<std::filesystem::path> read_only;  // other host paths the app may read, at the same paths
  AppLimits limits;
  std::vector<HiddenPath> hidden;  // host paths the app cannot see and whose lookup is named (the host's state)
};

struct SandboxOutcome {
  enum class End { Exited, Signaled, WallTime, CpuTime, Processes, Output, Memory };
  End end = End::Exited;
  int code = 0;                        // exit status (Exited) or signal (Signaled)
  bool memory_watched = false;         // the memory limit was a cgroup's, so that an app past it ends as Memory
  std::optional<Violation> violation;  // the first forbidden access any process of the app tried: a failure
  bool succeeded() const { return end == End::Exited && code == 0 && !violation; }
  // "the iApp exited with status 3", "the iApp ran past its wall-time limit of 5 s and was stopped"...; a failure
  // that may come from the memory limit (when unwatched) says so. A violation comes first: "the iApp tried to
  // connect to 127.0.0.1:80, but apps have no network; then the iApp exited with status 1".
  std::string describe(const AppLimits& limits) const;

 private:
  std::string describe_end(const AppLimits& limits) const;  // how it ended, the violation aside
};

// Runs the app to its end, or until a limit stops it. Throws (EIO) only when the app could not be started: the
// sandbox could not be built (naming the step), or the executable could not be executed inside it.
SandboxOutcome run_sandboxed(const SandboxedRun& run);

}  // namespace pfs::network::local
