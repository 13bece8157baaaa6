#include "cli/mount_options.hpp"

#include <charconv>

#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

// FUSE's own -o options that a user may pass through.
bool is_fuse_option(const std::string& name) {
  static const char* const known[] = {"allow_other", "allow_root", "default_permissions",
                                      "ro",          "rw",         "auto_unmount",
                                      "fsname",      "subtype",    "max_read",
                                      "noatime",     "atime",      "nodev",
                                      "nosuid",      "dev",        "suid",
                                      "exec",        "noexec",     "sync",
                                      "async",       "dirsync",    "user",
                                      "nouser",      "_netdev",    "noauto",
                                      "auto",        "defaults",   "nofail"};
  for (const char* k : known)
    if (name == k) return true;
  return false;
}

// mount(8) passes options that only concern it (defaults, noauto, _netdev…): FUSE must not see those.
bool is_mount_only(const std::string& name) {
  return name == "defaults" || name == "noauto" || name == "auto" || name == "_netdev" || name == "nofail" ||
         name == "user" || name == "nouser" || name == "rw";
}

void apply(MountOptions& m, const std::string& option, std::vector<std::string>& fuse) {
  const auto eq = option.find('=');
  const std::string name = option.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
  auto need_value = [&] {
    if (value.empty()) throw Error(EINVAL, "option " + name + " needs a value (" + name + "=…)");
  };
  if (name == "network") {
    need_value();
    m.network = value;
  } else if (name == "wallet") {
    need_value();
    m.wallet = value;
  } else if (name == "password_file") {
    need_value();
    m.password_file = value;
  } else if (name == "cache") {
    need_value();
    m.cache = value;
  } else if (name == "publish_delay" || name == "sync_interval") {
    need_value();
    long long ms = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || end != value.data() + value.size() || ms < 0 || (name == "sync_interval" && ms == 0))
      throw Error(EINVAL, name + " must be a number of milliseconds, not '" + value + "'");
    (name == "publish_delay" ? m.publish_delay : m.sync_interval) = std::chrono::milliseconds(ms);
  } else if (is_fuse_option(name)) {
    if (!is_mount_only(name)) fuse.push_back(option);
  } else {
    throw Error(EINVAL, "unknown mount option '" + name + "' (see man protectedfs)");
  }
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& args) {
  MountOptions m;
  std::vector<std::string> fuse;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-f") {
      m.foreground = true;
    } else if (a == "-d") {
      m.debug = m.foreground = true;
    } else if (a == "-o" || a.rfind("-o", 0) == 0) {
      std::string list =
          a == "-o" ? (i + 1 < args.size() ? args[++i] : throw Error(EINVAL, "-o needs options")) : a.substr(2);
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        if (comma > start) apply(m, list.substr(start, comma - start), fuse);
        start = comma + 1;
      }
    } else if (!a.empty() && a[0] == '-') {
      throw Error(EINVAL, "unknown flag '" + a + "'");
    } else if (m.mountpoint.empty()) {
      m.mountpoint = a;
    } else {
      throw Error(EINVAL, "one mount point only ('" + m.mountpoint.string() + "' and '" + a + "')");
    }
  }
  if (m.mountpoint.empty()) throw Error(EINVAL, "no mount point given");
  if (!fuse.empty()) {
    std::string joined;
    for (const auto& o : fuse) joined += (joined.empty() ? "" : ",") + o;
    m.fuse_args = {"-o", joined};
  }
  if (m.debug) m.fuse_args.push_back("-d");
  return m;
}

}  // namespace pfs::cli
