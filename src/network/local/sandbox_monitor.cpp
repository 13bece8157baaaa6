#include "network/local/sandbox_monitor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <sstream>
#include <string>

#include "protectedfs/util/file.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

// /proc/PID/stat after the command's closing parenthesis: field 3 (state) first, so utime (14) is the 12th word,
// then stime, cutime, cstime; num_threads (20) is the 18th.
struct Stat {
  uint64_t ticks = 0;  // own and waited-for children's CPU time
  uint64_t threads = 0;
};

bool read_stat(int proc_dir, const char* pid, Stat* stat) {
  const std::string path = std::string(pid) + "/stat";
  UniqueFd fd(::openat(proc_dir, path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char text[1024];
  const ssize_t n = ::read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return false;
  const std::string line(text, static_cast<std::size_t>(n));
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream words(line.substr(close + 1));
  std::string word;
  for (int i = 1; i <= 18 && (words >> word); ++i) {
    if (i >= 12 && i <= 15) stat->ticks += std::stoull(word);
    if (i == 18) stat->threads = std::stoull(word);
  }
  return true;
}

}  // namespace

SandboxUsage SandboxMonitor::sample() const {
  SandboxUsage usage;
  const std::string proc = "/proc/" + std::to_string(first_process_) + "/root/proc";
  UniqueFd dir_fd(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd) {
    DIR* dir = ::fdopendir(::dup(dir_fd.get()));
    uint64_t ticks = 0;
    for (struct dirent* entry; dir && (entry = ::readdir(dir)) != nullptr;) {
      if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
      Stat stat;
      try {
        if (!read_stat(dir_fd.get(), entry->d_name, &stat)) continue;
      } catch (const std::exception&) {
        continue;
      }
      ticks += stat.ticks;
      if (std::string_view(entry->d_name) != "1") usage.processes += stat.threads;
    }
    if (dir) ::closedir(dir);
    usage.cpu_seconds = static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  usage.output_bytes = output_bytes();
  return usage;
}

uint64_t SandboxMonitor::output_bytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(out_dir_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec) && !it->is_symlink(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace pfs::network::local
