// What an isolated iApp may not do, as typed violations the runner names (sandbox_supervisor.hpp sees the calls):
//
//   network   a connection to, or a datagram sent to, an address of any family but AF_UNIX and AF_NETLINK (a
//             socket may be made, and a datagram socket connected, since neither sends anything: glibc's name
//             lookups do both)
//   writes    anywhere but IEXEC_OUT, /tmp, the sandbox's own /proc and its device nodes (/dev/null…): a write
//             refused is named even when the app would carry on without it (a cache it cannot keep)
//   hidden    any lookup, read or write, under a host path apps may not see (the host's protectedfs state, the
//             local network's folder): they do not exist in the sandbox, yet the runner names the attempt
//
// Classifying is pure (paths are compared as text, lexically normalized): the supervisor reads what a call names
// and asks here. Enforcement is not here: it is the sandbox's namespaces and mounts (sandbox.hpp).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pfs::network::local {

// An address a socket call names, as read from its sockaddr.
struct NetworkTarget {
  int family = 0;
  uint8_t address[16] = {};  // AF_INET: the first 4 bytes; AF_INET6: all 16
  uint16_t port = 0;         // host order
};
// The target of a sockaddr's bytes, or nothing for the families apps may use (AF_UNSPEC, AF_UNIX, AF_NETLINK) and
// for bytes too short to hold a family.
std::optional<NetworkTarget> network_target(std::span<const uint8_t> sockaddr);

struct Violation {
  enum class Kind {
    Connect,  // target
    Send,     // target
    Write,    // path, outside the writable places
    Hidden,   // path, under hidden_what; `write` tells whether the lookup was for writing
  };
  Kind kind = Kind::Connect;
  NetworkTarget target;
  std::string path;
  std::string hidden_what;  // "the host's protectedfs state"…
  bool write = false;

  // "the iApp tried to connect to 127.0.0.1:8080, but apps have no network", "the iApp tried to write "/etc/x"
  // outside IEXEC_OUT (only IEXEC_OUT and /tmp are writable)", "the iApp tried to read "/…/protectedfs/x" in the
  // host's protectedfs state, which apps may not see": the path is quoted (escaped, bounded).
  std::string describe() const;
};

struct HiddenPath {
  std::filesystem::path path;  // absolute
  std::string what;            // "the host's protectedfs state"
};

// The host paths the app sees (at the same paths inside): of those that hold a path, the deepest one decides
// (IEXEC_OUT writable, IEXEC_IN read-only, even when one is in the other). Past them the hidden paths, then the
// sandbox's own /tmp (a fresh tmpfs, writable: a host path under /tmp is hidden all the same).
struct AccessPolicy {
  std::vector<std::filesystem::path> writable;   // IEXEC_OUT
  std::vector<std::filesystem::path> read_only;  // IEXEC_IN, the --read-only paths, the app
  std::vector<HiddenPath> hidden;
};

// Whether open(2)'s flags ask to write (or create, or truncate).
bool opens_for_writing(uint64_t flags);

// The violation of a lookup of `path` (absolute), for reading or for writing, or nothing when it is allowed.
std::optional<Violation> classify_path(const AccessPolicy& policy, const std::filesystem::path& path, bool write);

}  // namespace pfs::network::local
