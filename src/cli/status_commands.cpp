// `protectedfs status [MOUNTPOINT]` and `protectedfs sync [MOUNTPOINT]`: they ask the daemon through its own
// mount (the root's user.protected.queue and each protected data's user.protected.status), so they need no other
// channel and work for any user who can read the mount.
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/mount_client.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

namespace fs = std::filesystem;

std::string describe(const nlohmann::json& item) {
  std::string line = item.value("name", "?") + ": " + item.value("state", "?");
  if (item.contains("step")) line += " " + item["step"].get<std::string>();
  if (item.contains("in_ms")) line += " in " + std::to_string(item["in_ms"].get<int64_t>()) + " ms";
  return line;
}

void run_status(const std::string& given) {
  const fs::path mount = resolve_mount(given);
  const auto queue = queue_of(mount);
  try {  // a full disk: the cache is read-only until space is freed
    const std::string storage = read_attribute(mount, "user.protected.storage");
    if (storage != "ok") std::cout << "storage: " << storage << std::endl;
  } catch (const Error&) {
    // a daemon from before this attribute
  }
  const auto& items = queue.at("items");
  if (items.empty()) std::cout << "nothing pending" << std::endl;
  for (const auto& item : items) std::cout << describe(item) << std::endl;
  if (queue.at("total").get<std::size_t>() > items.size())
    std::cout << "… and " << queue.at("total").get<std::size_t>() - items.size() << " more" << std::endl;
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

// On a terminal: a bar for the running publish ("medical  upload [#########-----------]  45%"), the others after it.
std::string progress_line(const nlohmann::json& queue) {
  std::string line, others;
  const auto& items = queue.at("items");
  for (const auto& item : items) {
    if (items.size() > 3 && item.value("state", "") != "running") continue;  // many: the running one and a count
    const std::string step = item.value("step", "");
    const auto space = step.rfind(' ');
    if (item.value("state", "") == "running" && space != std::string::npos && step.back() == '%') {
      const int percent = std::clamp(std::atoi(step.c_str() + space + 1), 0, 100);
      constexpr int kWidth = 24;
      const int filled = percent * kWidth / 100;
      line = item.value("name", "?") + "  " + step.substr(0, space) + " [" + std::string(filled, '#') +
             std::string(kWidth - filled, '-') + "] " + std::to_string(percent) + "%";
    } else {
      others += (others.empty() ? "" : ", ") + item.value("name", "?") + " " + item.value("state", "");
    }
  }
  const std::size_t total = queue.at("total"), waiting = total - (line.empty() ? 0 : 1);
  if (items.size() > 3) others = std::to_string(waiting) + " waiting";
  if (!others.empty()) line += (line.empty() ? "" : "   ") + std::string("(") + others + ")";
  return line;
}

// Without a terminal (a log file, a pipe, CI) a line every 200 ms would flood the log: the first state, then at
// most one line per kPlainInterval (when the state changed), then the end.
constexpr auto kPlainInterval = std::chrono::seconds(10);
// The queue is asked for every kPoll (one getxattr of a few hundred bytes: nothing to the daemon), so that sync
// returns within kPoll of the publish's end (every 200 ms, it was ~100 ms late on average: 5 % of a 5,000-file
// copy's cp → published); a terminal's progress line is redrawn every kRedraw.
constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr auto kRedraw = std::chrono::milliseconds(200);

void run_sync(const std::string& given, int timeout_seconds) {
  const fs::path mount = resolve_mount(given);
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::string line, printed;
  std::optional<std::chrono::steady_clock::time_point> printed_at, drawn_at;
  for (;;) {
    const auto queue = queue_of(mount);
    if (queue.at("total").get<std::size_t>() == 0) break;
    line.clear();
    const auto& items = queue.at("items");
    for (std::size_t i = 0; i < std::min<std::size_t>(items.size(), 3); ++i)
      line += (line.empty() ? "" : "  ") + describe(items[i]);
    if (items.size() > 3) line += "  … " + std::to_string(queue.at("total").get<std::size_t>() - 3) + " more";
    const auto now = std::chrono::steady_clock::now();
    if (terminal) {
      if (!drawn_at || now - *drawn_at >= kRedraw) {
        std::cout << "\r\033[K" << progress_line(queue) << std::flush;
        printed = line;
        drawn_at = now;
      }
    } else if (!printed_at || (now - *printed_at >= kPlainInterval && line != printed)) {
      std::cout << line << std::endl;
      printed = line;
      printed_at = now;
    }
    if (now > deadline)
      throw Error(ETIMEDOUT, "still pending after " + std::to_string(timeout_seconds) + " s: " + line);
    std::this_thread::sleep_for(kPoll);
  }
  if (terminal && !printed.empty()) std::cout << "\r\033[K";
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
