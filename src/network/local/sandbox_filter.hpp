// The system calls an isolated iApp may not make, as a seccomp filter (written with libseccomp, compiled to BPF
// before the sandbox's processes are cloned: they cannot allocate, so they only load it).
//
//   socket()      of any family but AF_UNIX (an app's own plumbing) and AF_NETLINK (glibc's getaddrinfo asks the
//                 kernel for the interfaces through it): the process is killed (SIGSYS), which the runner names
//                 ("it tried to open a network socket"). The app's network namespace has no network anyway; the
//                 filter is what lets the runner tell that an app tried to reach one.
//   io_uring      its setup fails (ENOSYS), so that no socket is made past the filter (IORING_OP_SOCKET); apps
//                 fall back to the usual calls
//
// System calls of another architecture (32-bit x86 through the x86-64 kernel) pass unfiltered: such apps still run,
// and still have no network, only its cause is not named.
#pragma once
#include <linux/filter.h>

#include <csignal>
#include <vector>

namespace pfs::network::local {

// What a process of the app dies of when it tries to open a network socket.
inline constexpr int kNetworkSignal = SIGSYS;

class NetworkFilter {
 public:
  // Builds the filter for this machine's architecture. Throws Error(EIO) when libseccomp cannot.
  static NetworkFilter compile();
  // Loads it into the calling process, for itself and every process it starts (no_new_privs must be set).
  // Async-signal-safe. 0, or the errno.
  int install() const;

 private:
  std::vector<sock_filter> program_;
};

}  // namespace pfs::network::local
