#include "network/local/sandbox_supervisor.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "network/local/sandbox_filter.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

// What the calling process shows through its /proc entry, for one notification.
class Caller {
 public:
  explicit Caller(const seccomp_notif& request)
      : pid_(std::to_string(request.pid)),
        args_(request.data.args),
        memory_(::open(("/proc/" + pid_ + "/mem").c_str(), O_RDONLY | O_CLOEXEC)),
        pid_number_(static_cast<pid_t>(request.pid)) {}

  uint64_t arg(int i) const { return args_[i]; }

  // `size` bytes at `address`, or fewer where the memory ends (none for a bad pointer).
  std::string bytes(uint64_t address, std::size_t size) const {
    std::string out(size, '\0');
    const ssize_t n = memory_ ? ::pread(memory_.get(), out.data(), size, static_cast<off_t>(address)) : -1;
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }

  // The NUL-terminated string at `address`, read page by page (a read past the page it ends in could fail).
  std::optional<std::string> string(uint64_t address) const {
    std::string out;
    constexpr uint64_t kPage = 4096;
    while (out.size() < PATH_MAX) {
      const std::size_t chunk = static_cast<std::size_t>(kPage - (address % kPage));
      const std::string part = bytes(address, chunk);
      if (part.empty()) return std::nullopt;
      const auto end = part.find('\0');
      if (end != std::string::npos) return out + part.substr(0, end);
      out += part;
      address += part.size();
    }
    return std::nullopt;
  }

  // The absolute path a path argument names (lexically: symlinks are the kernel's business), or nothing.
  std::optional<fs::path> path(const WatchedCall::PathArgument& argument) const {
    if (argument.path < 0) return std::nullopt;
    const auto text = string(arg(argument.path));
    if (!text || text->empty()) return std::nullopt;  // "" with AT_EMPTY_PATH: the fd itself
    if ((*text)[0] == '/') return fs::path(*text);
    const int dirfd = argument.dirfd < 0 ? AT_FDCWD : static_cast<int>(arg(argument.dirfd));
    const std::string link = "/proc/" + pid_ + (dirfd == AT_FDCWD ? "/cwd" : "/fd/" + std::to_string(dirfd));
    std::error_code ec;
    const fs::path base = fs::read_symlink(link, ec);
    if (ec || !base.is_absolute()) return std::nullopt;
    return base / *text;
  }

  // The socket type of the caller's `fd` (SOCK_STREAM…), or -1.
  int socket_type(int fd) const {
    UniqueFd process(static_cast<int>(::syscall(SYS_pidfd_open, pid_number_, 0)));
    if (!process) return -1;
    UniqueFd copy(static_cast<int>(::syscall(SYS_pidfd_getfd, process.get(), fd, 0)));
    int type = -1;
    socklen_t size = sizeof type;
    if (!copy || ::getsockopt(copy.get(), SOL_SOCKET, SO_TYPE, &type, &size) != 0) return -1;
    return type;
  }

 private:
  std::string pid_;
  const __u64* args_;
  UniqueFd memory_;
  pid_t pid_number_;
};

std::optional<Violation> network(Violation::Kind kind, const std::string& sockaddr) {
  const auto target = network_target(std::span(reinterpret_cast<const uint8_t*>(sockaddr.data()), sockaddr.size()));
  if (!target) return std::nullopt;
  Violation v;
  v.kind = kind;
  v.target = *target;
  return v;
}

constexpr std::size_t kMaxSockaddr = sizeof(sockaddr_storage);

std::optional<Violation> examine(const WatchedCall& call, const Caller& caller, const AccessPolicy& policy) {
  switch (call.kind) {
    case WatchedCall::Kind::Connect: {
      auto v = network(Violation::Kind::Connect,
                       caller.bytes(caller.arg(1), std::min<std::size_t>(caller.arg(2), kMaxSockaddr)));
      // Connecting a datagram socket sends nothing (glibc does it to sort the addresses a name has): only what
      // it then sends would reach the network, and the namespace has none.
      if (v && caller.socket_type(static_cast<int>(caller.arg(0))) == SOCK_DGRAM) return std::nullopt;
      return v;
    }
    case WatchedCall::Kind::SendTo:
      return network(Violation::Kind::Send,
                     caller.bytes(caller.arg(4), std::min<std::size_t>(caller.arg(5), kMaxSockaddr)));
    case WatchedCall::Kind::SendMsg: {
      const std::string header = caller.bytes(caller.arg(1), sizeof(msghdr));
      if (header.size() != sizeof(msghdr)) return std::nullopt;
      msghdr message{};
      std::memcpy(&message, header.data(), sizeof message);
      if (message.msg_name == nullptr) return std::nullopt;
      return network(Violation::Kind::Send, caller.bytes(reinterpret_cast<uint64_t>(message.msg_name),
                                                         std::min<std::size_t>(message.msg_namelen, kMaxSockaddr)));
    }
    case WatchedCall::Kind::Open:
    case WatchedCall::Kind::Openat2:
    case WatchedCall::Kind::Path: {
      bool write = call.first.write;
      if (call.kind == WatchedCall::Kind::Open) write = opens_for_writing(caller.arg(call.flags));
      if (call.kind == WatchedCall::Kind::Openat2) {
        const std::string how = caller.bytes(caller.arg(call.flags), sizeof(uint64_t));  // open_how.flags first
        uint64_t flags = 0;
        if (how.size() == sizeof flags) std::memcpy(&flags, how.data(), sizeof flags);
        write = opens_for_writing(flags);
      }
      if (const auto first = caller.path(call.first))
        if (auto v = classify_path(policy, *first, write)) return v;
      if (const auto second = caller.path(call.second)) return classify_path(policy, *second, call.second.write);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

int errno_for(const Violation& v) {
  switch (v.kind) {
    case Violation::Kind::Connect:
    case Violation::Kind::Send:
      return ENETUNREACH;
    case Violation::Kind::Write:
      return EROFS;
    case Violation::Kind::Hidden:
      return ENOENT;
  }
  return EPERM;
}

}  // namespace

void SandboxSupervisor::answer_one() {
  seccomp_notif request{};
  if (::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) return;  // interrupted, or no process left
  seccomp_notif_resp response{};
  response.id = request.id;
  response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  const WatchedCall* call = watched_call(request.data.nr);
  std::optional<Violation> violation;
  if (call != nullptr) {
    try {
      const Caller caller(request);
      violation = examine(*call, caller, policy_);
    } catch (const std::exception&) {
      violation.reset();  // unreadable (a path past PATH_MAX…): the kernel answers
    }
  }
  // The pid read was the caller's only if the call still waits (else the pid may be another process's by now).
  if (violation && ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &request.id) == 0) {
    response.flags = 0;
    response.error = -errno_for(*violation);
    if (!violation_) violation_ = std::move(violation);
  }
  ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);  // ENOENT: the call was interrupted meanwhile
}

}  // namespace pfs::network::local
