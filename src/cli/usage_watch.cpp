#include "cli/usage_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include <spdlog/spdlog.h>

#include "protectedfs/util/error.hpp"

namespace pfs::cli {

UsageWatch::UsageWatch(const std::filesystem::path& folder, std::function<void()> changed)
    : changed_(std::move(changed)) {
  if (folder.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  // Task files appear by link() of a complete temporary (IN_CREATE) or by rename (IN_MOVED_TO).
  if (!inotify || ::inotify_add_watch(inotify.get(), folder.c_str(), IN_MOVED_TO | IN_CREATE) < 0) {
    spdlog::warn("usage: {} cannot be watched ({}); usage follows the tree sync", folder.string(),
                 std::strerror(errno));
    return;
  }
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop) return;
  inotify_ = std::move(inotify);
  stop_ = std::move(stop);
}

UsageWatch::~UsageWatch() { stop(); }

void UsageWatch::start() {
  if (inotify_ && !thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void UsageWatch::stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  (void)::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

void UsageWatch::run() {
  pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::warn("usage watch: poll failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    bool any = false;
    while (::read(inotify_.get(), buffer, sizeof buffer) > 0) any = true;  // one refresh for a burst of runs
    if (!any) continue;
    try {
      changed_();
    } catch (const std::exception& e) {
      spdlog::warn("usage not refreshed after a run: {}", e.what());
    }
  }
}

}  // namespace pfs::cli
