#include "network/local/sandbox_access.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cstring>

#include "protectedfs/util/quote.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxQuotedPath = 1024;  // enough to recognise a path, bounded for a one-line message

// How many elements of `prefix` lead to `path` (both absolute and normal), or 0 when `path` is not below it.
std::size_t depth_under(const fs::path& path, const fs::path& prefix) {
  auto p = path.begin();
  std::size_t depth = 0;
  for (auto q = prefix.begin(); q != prefix.end(); ++q, ++p, ++depth) {
    if (q->empty()) break;  // the empty last element of a prefix ending in '/'
    if (p == path.end() || *p != *q) return 0;
  }
  return depth;
}

bool under(const fs::path& path, const fs::path& prefix) { return depth_under(path, prefix) > 0; }

// The sandbox's device nodes (sandbox_root.hpp) and the names that lead to the app's own descriptors: writing
// there is how programs discard or print, not a write to the file system.
bool is_device(const fs::path& path) {
  static const char* const kDevices[] = {"/dev/null",  "/dev/zero",   "/dev/full",   "/dev/random", "/dev/urandom",
                                         "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty"};
  for (const char* device : kDevices)
    if (path == device) return true;
  return under(path, "/dev/fd");
}

std::string render(const NetworkTarget& target) {
  char text[INET6_ADDRSTRLEN] = "";
  std::string out;
  if (target.family == AF_INET && ::inet_ntop(AF_INET, target.address, text, sizeof text)) {
    out.append(text).append(":").append(std::to_string(target.port));
  } else if (target.family == AF_INET6 && ::inet_ntop(AF_INET6, target.address, text, sizeof text)) {
    out.append("[").append(text).append("]:").append(std::to_string(target.port));
  } else {
    out.append("an address of socket family ").append(std::to_string(target.family));
  }
  return out;
}

}  // namespace

std::optional<NetworkTarget> network_target(std::span<const uint8_t> sockaddr) {
  sa_family_t family = 0;
  if (sockaddr.size() < sizeof family) return std::nullopt;
  std::memcpy(&family, sockaddr.data(), sizeof family);
  if (family == AF_UNSPEC || family == AF_UNIX || family == AF_NETLINK) return std::nullopt;
  NetworkTarget target;
  target.family = family;
  if (family == AF_INET && sockaddr.size() >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, sockaddr.data(), sizeof in);
    std::memcpy(target.address, &in.sin_addr, 4);
    target.port = ntohs(in.sin_port);
  } else if (family == AF_INET6 && sockaddr.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sockaddr.data(), sizeof in6);
    std::memcpy(target.address, &in6.sin6_addr, 16);
    target.port = ntohs(in6.sin6_port);
  }
  return target;
}

std::string Violation::describe() const {
  switch (kind) {
    case Kind::Connect:
      return "the iApp tried to connect to " + render(target) + ", but apps have no network";
    case Kind::Send:
      return "the iApp tried to send to " + render(target) + ", but apps have no network";
    case Kind::Write:
      return "the iApp tried to write " + quote(path, kMaxQuotedPath) +
             " outside IEXEC_OUT (only IEXEC_OUT and /tmp are writable)";
    case Kind::Hidden:
      return "the iApp tried to " + std::string(write ? "write " : "read ") + quote(path, kMaxQuotedPath) + " in " +
             hidden_what + ", which apps may not see";
  }
  return "the iApp broke its sandbox's rules";
}

bool opens_for_writing(uint64_t flags) {
  if (flags & O_PATH) return false;  // a handle only: nothing can be read or written through it
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

std::optional<Violation> classify_path(const AccessPolicy& policy, const fs::path& path, bool write) {
  fs::path normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();  // "dir/" names dir
  // The deepest of the places the app sees that holds the path: writes allowed there or not, never hidden.
  std::size_t deepest = 0;
  bool writable = false;
  for (const auto* places : {&policy.read_only, &policy.writable})
    for (const fs::path& place : *places)
      if (const std::size_t depth = depth_under(normal, place.lexically_normal()); depth > deepest) {
        deepest = depth;
        writable = places == &policy.writable;
      }
  if (deepest > 0 && (writable || !write)) return std::nullopt;
  for (const HiddenPath& hidden : policy.hidden)
    if (under(normal, hidden.path.lexically_normal())) {
      Violation v;
      v.kind = Violation::Kind::Hidden;
      v.path = normal.string();
      v.hidden_what = hidden.what;
      v.write = write;
      return v;
    }
  if (deepest == 0 && (!write || under(normal, "/tmp") || under(normal, "/proc") || is_device(normal)))
    return std::nullopt;
  Violation v;
  v.kind = Violation::Kind::Write;
  v.path = normal.string();
  return v;
}

}  // namespace pfs::network::local
