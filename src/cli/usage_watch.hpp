// A mount's usage (user.protected.usage, the grants' remaining accesses) follows runs on this machine at once: the
// local network accounts each run by writing a file in its tasks/ folder (Network::accounted_runs), and this watch
// (inotify) calls `changed` when one appears, instead of leaving the attribute stale until the next tree-sync pass.
// Runs accounted elsewhere (other machines, the iExec chain) still arrive with the tree sync.
#pragma once
#include <filesystem>
#include <functional>
#include <thread>

#include "protectedfs/util/file.hpp"

namespace pfs::cli {

class UsageWatch {
 public:
  // Nothing is watched when `folder` is empty or cannot be watched (the tree sync still refreshes usage).
  UsageWatch(const std::filesystem::path& folder, std::function<void()> changed);
  ~UsageWatch();
  UsageWatch(const UsageWatch&) = delete;
  UsageWatch& operator=(const UsageWatch&) = delete;

  void start();
  void stop();  // joins the thread; `changed` is not called afterwards

 private:
  void run();

  std::function<void()> changed_;
  UniqueFd inotify_;
  UniqueFd stop_;  // an eventfd: written by stop(), polled with the inotify descriptor
  std::thread thread_;
};

}  // namespace pfs::cli
