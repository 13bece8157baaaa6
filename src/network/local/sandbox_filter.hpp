// The system calls of an isolated iApp the runner watches, as a seccomp filter (written with libseccomp, compiled to
// BPF before the sandbox's processes are cloned: they cannot allocate, so they only load it):
//
//   file calls     every call that looks a path up (open, stat, mkdir, unlink, rename…): the runner is notified
//                  (SECCOMP_RET_USER_NOTIF) and names writes outside IEXEC_OUT and lookups of hidden host paths
//   connect        the runner is notified and names a connection to a network address
//   sendto,        the runner is notified and names a datagram sent to a network address (sendto only when it
//   sendmsg,       names one; sendmmsg by its first message)
//   sendmmsg
//   io_uring       its setup fails (ENOSYS), so that no call escapes the filter (IORING_OP_CONNECT, OPENAT…);
//                  apps fall back to the usual calls
//
// Sockets of every family may be made: making one reaches nothing (glibc's name lookups make AF_INET ones).
// The filter is loaded by the sandbox's first process, so that every process of the app, children included, has
// it; its notifications go to the runner (sandbox_supervisor.hpp). System calls of another architecture (32-bit
// x86 through the x86-64 kernel) pass unwatched: such apps still run, as isolated, only their violations are not
// named.
#pragma once
#include <linux/filter.h>

#include <vector>

namespace pfs::network::local {

// How the supervisor reads a watched call's arguments.
struct WatchedCall {
  enum class Kind { Path, Open, Openat2, Connect, SendTo, SendMsg };
  struct PathArgument {
    int dirfd = -1;  // the argument holding the directory fd, or -1 (the path is relative to the cwd)
    int path = -1;   // the argument holding the path, or -1 (none)
    bool write = false;
  };
  long nr;
  Kind kind;
  PathArgument first, second;  // second: rename's and link's new name
  int flags = -1;              // Open: the argument holding open(2)'s flags; Openat2: the open_how pointer
};
// The watched call of this number, or null.
const WatchedCall* watched_call(long nr);

class SandboxFilter {
 public:
  // Builds the filter for this machine's architecture. Throws Error(EIO) when libseccomp cannot.
  static SandboxFilter compile();
  // Loads it into the calling process, for itself and every process it starts (no_new_privs must be set, or
  // CAP_SYS_ADMIN held in the process's user namespace). Async-signal-safe. The notification fd the supervisor
  // reads, or -errno.
  int install() const;

 private:
  std::vector<sock_filter> program_;
};

}  // namespace pfs::network::local
