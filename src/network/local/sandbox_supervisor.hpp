// The runner's side of the iApp's system-call filter (sandbox_filter.hpp): it answers each notification of a
// watched call, and records the first violation (sandbox_access.hpp) so that the runner fails the task naming it.
//
// What a call names is read from the calling process's memory (/proc/PID/mem) and its cwd or directory fd
// (/proc/PID/cwd, /proc/PID/fd/N). That read races with the app (another of its threads may change the memory
// before the kernel reads it): the notification only names. Enforcement stays with the sandbox's namespaces and
// mounts, so an allowed call is let through unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE, the kernel then checks it
// as usual) and a violation is refused with the errno the sandbox would give anyway (EROFS for a write outside
// IEXEC_OUT, ENOENT for a hidden path, ENETUNREACH for the network). Anything the supervisor cannot read (the
// process ended, a bad pointer) is let through unnamed, for the kernel to answer.
#pragma once
#include <optional>

#include "network/local/sandbox_access.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {

class SandboxSupervisor {
 public:
  SandboxSupervisor(UniqueFd listener, AccessPolicy policy)
      : listener_(std::move(listener)), policy_(std::move(policy)) {}
  // The notification fd, to poll: readable when a call waits for an answer (POLLHUP once no process of the app is
  // left).
  int fd() const { return listener_.get(); }
  // Receives and answers one waiting call (nothing when none waits any more: it was interrupted).
  void answer_one();
  const std::optional<Violation>& violation() const { return violation_; }

 private:
  UniqueFd listener_;
  AccessPolicy policy_;
  std::optional<Violation> violation_;  // the first one
};

}  // namespace pfs::network::local
