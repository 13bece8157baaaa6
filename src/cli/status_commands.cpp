// `protectedfs status [MOUNTPOINT]` and `protectedfs sync [MOUNTPOINT]`: they ask the daemon through its own
// mount (the root's user.protected.queue and each protected data's user.protected.status), so they need no other
// channel and work for any user who can read the mount.
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

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

// The mount point given, or the only protectedfs mount of the machine.
fs::path resolve_mount(const std::string& given) {
  if (!given.empty()) {
    try {
      read_attribute(given, "user.protected.queue");
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

nlohmann::json queue_of(const fs::path& mount) { return nlohmann::json::parse(read_attribute(mount, "user.protected.queue")); }

std::string describe(const nlohmann::json& item) {
  std::string line = item.value("name", "?") + ": " + item.value("state", "?");
  if (item.contains("step")) line += " " + item["step"].get<std::string>();
  if (item.contains("in_ms")) line += " in " + std::to_string(item["in_ms"].get<int64_t>()) + " ms";
  return line;
}

void run_status(const std::string& given) {
  const fs::path mount = resolve_mount(given);
  const auto queue = queue_of(mount);
  if (queue.empty()) std::cout << "nothing pending" << std::endl;
  for (const auto& item : queue) std::cout << describe(item) << std::endl;
  for (const auto& entry : fs::directory_iterator(mount)) {
    std::string status;
    try {
      status = read_attribute(entry.path(), "user.protected.status");
    } catch (const Error&) {
      continue;
    }
    if (status.rfind("failed", 0) == 0) std::cout << entry.path().filename().string() << ": " << status << std::endl;
  }
}

void run_sync(const std::string& given, int timeout_seconds) {
  const fs::path mount = resolve_mount(given);
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::string last;
  for (;;) {
    const auto queue = queue_of(mount);
    if (queue.empty()) break;
    std::string line;
    for (const auto& item : queue) line += (line.empty() ? "" : "  ") + describe(item);
    if (terminal) {
      std::cout << "\r\033[K" << line << std::flush;
    } else if (line != last) {
      std::cout << line << std::endl;
    }
    last = line;
    if (std::chrono::steady_clock::now() > deadline)
      throw Error(ETIMEDOUT, "still pending after " + std::to_string(timeout_seconds) + " s: " + line);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (terminal && !last.empty()) std::cout << "\r\033[K";
  std::cout << "everything is published" << std::endl;
}

}  // namespace

void add_status_commands(CLI::App& app) {
  static std::string mount;
  static int timeout = 3600;
  auto* status = app.add_subcommand("status", "Pending and running publishes with their progress, and failures");
  status->add_option("MOUNTPOINT", mount, "the mount (default: the only protectedfs mount)");
  status->callback([] { run_status(mount); });
  auto* sync = app.add_subcommand("sync", "Wait until every pending change is published");
  sync->add_option("MOUNTPOINT", mount, "the mount (default: the only protectedfs mount)");
  sync->add_option("--timeout", timeout, "give up after this many seconds (default 3600)");
  sync->callback([] { run_sync(mount, timeout); });
}

}  // namespace pfs::cli
