#include "cli/mount_client.hpp"

#include <sys/xattr.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "protectedfs/util/error.hpp"

namespace pfs::cli {

namespace fs = std::filesystem;

std::string read_attribute(const fs::path& path, const char* name) {
  std::string value(4096, '\0');
  for (;;) {
    const ssize_t n = ::getxattr(path.c_str(), name, value.data(), value.size());
    if (n >= 0) return value.substr(0, static_cast<std::size_t>(n));
    if (errno != ERANGE) throw Error(errno, "cannot read " + std::string(name) + " of " + path.string());
    value.resize(value.size() * 4);
  }
}

fs::path resolve_mount(const std::string& given) {
  if (!given.empty()) {
    try {
      read_attribute(given, "user.protected.wallet");
    } catch (const Error&) {
      throw Error(EINVAL, given + " is not a protectedfs mount");
    }
    return given;
  }
  std::ifstream mounts("/proc/mounts");
  std::vector<std::string> found;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device, point, type;
    fields >> device >> point >> type;
    if (type == "fuse.protectedfs") found.push_back(point);
  }
  if (found.size() != 1)
    throw Error(EINVAL, found.empty() ? "no protectedfs mount: give the mount point"
                                      : "several protectedfs mounts: give the mount point");
  return found.front();
}

nlohmann::json queue_of(const fs::path& mount) {
  return nlohmann::json::parse(read_attribute(mount, "user.protected.queue"));
}

fs::path mount_of(const fs::path& path) {
  std::error_code ec;
  fs::path at = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) return {};
  for (; !at.empty(); at = at.parent_path()) {
    try {
      read_attribute(at, "user.protected.wallet");
      return at;
    } catch (const Error&) {
    }
    if (at == at.root_path()) break;
  }
  return {};
}

}  // namespace pfs::cli
