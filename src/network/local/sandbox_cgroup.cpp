#include "network/local/sandbox_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kPrefix = "protectedfs-";  // protectedfs-PID-N: the runner's pid, then its count

// A cgroup file's text (they are small), or nothing when it cannot be read.
std::string read_small(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  char buffer[4096];
  for (ssize_t n; fd && (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  return text;
}

// O_CREAT makes no file in a real cgroupfs (its files exist, or cannot be made), while a fake tree of plain files
// (the unit tests') gets the files the kernel would have made.
void write_value(const fs::path& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd || ::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throw_system_error("cannot write " + path.string());
}

bool has_word(const std::string& text, std::string_view word) {
  std::istringstream words(text);
  for (std::string w; words >> w;)
    if (w == word) return true;
  return false;
}

// The value of the "KEY N" line of a flat-keyed cgroup file (memory.events, memory.oom_control).
std::optional<uint64_t> counter(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() <= key.size() || line.compare(0, key.size(), key) != 0 || line[key.size()] != ' ') continue;
    uint64_t value = 0;
    const char* first = line.data() + key.size() + 1;
    if (std::from_chars(first, line.data() + line.size(), value).ec == std::errc()) return value;
  }
  return std::nullopt;
}

// A runner that died (kill -9) leaves its empty cgroup: removed once no process has its pid. A live runner's
// cgroups are not touched, even empty between mkdir and the app's start.
void remove_leftovers(const fs::path& parent) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    pid_t pid = 0;
    const char* first = name.data() + kPrefix.size();
    if (std::from_chars(first, name.data() + name.size(), pid).ec != std::errc() || pid <= 0) continue;
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) ::rmdir(entry.path().c_str());
  }
}

}  // namespace

std::optional<CgroupPlace> find_memory_cgroup(std::string_view proc_self_cgroup, const fs::path& root) {
  std::optional<fs::path> v2_path, v1_path;
  std::istringstream lines{std::string(proc_self_cgroup)};
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string id = line.substr(0, first), controllers = line.substr(first + 1, second - first - 1);
    const fs::path path = fs::path(line.substr(second + 1)).relative_path();
    if (id == "0" && controllers.empty()) v2_path = path;
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');)
      if (name == "memory") v1_path = path;
  }
  if (v2_path) {
    for (const fs::path& base : {root, root / "unified"}) {
      const fs::path dir = (base / *v2_path).lexically_normal();
      if (has_word(read_small(dir / "cgroup.controllers"), "memory")) return CgroupPlace{dir, true};
    }
  }
  std::error_code ec;
  if (v1_path) {
    const fs::path dir = (root / "memory" / *v1_path).lexically_normal();
    if (fs::exists(dir / "memory.limit_in_bytes", ec)) return CgroupPlace{dir, false};
  }
  return std::nullopt;
}

std::unique_ptr<MemoryCgroup> MemoryCgroup::create(uint64_t bytes) {
  const auto place = find_memory_cgroup(read_small("/proc/self/cgroup"));
  return place ? create_in(*place, bytes) : nullptr;
}

std::unique_ptr<MemoryCgroup> MemoryCgroup::create_in(const CgroupPlace& parent, uint64_t bytes) {
  static std::atomic<unsigned> count{0};
  if (::access(parent.dir.c_str(), W_OK) != 0) return nullptr;
  remove_leftovers(parent.dir);
  try {
    // v2 gives a child the controller only when the parent hands it down (which a parent holding processes
    // itself cannot do: the runner's cgroup must be delegated with memory in its subtree_control).
    if (parent.v2 && !has_word(read_small(parent.dir / "cgroup.subtree_control"), "memory"))
      write_value(parent.dir / "cgroup.subtree_control", "+memory");
  } catch (const Error&) {
    return nullptr;
  }
  const fs::path dir = parent.dir / (std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(count++));
  if (::mkdir(dir.c_str(), 0755) != 0) return nullptr;
  std::unique_ptr<MemoryCgroup> cgroup(new MemoryCgroup(dir, parent.v2));
  std::error_code ec;
  try {
    const std::string limit = std::to_string(bytes);
    if (parent.v2) {
      write_value(dir / "memory.max", limit);
      if (fs::exists(dir / "memory.swap.max", ec)) write_value(dir / "memory.swap.max", "0");
    } else {
      write_value(dir / "memory.limit_in_bytes", limit);
      // memory + swap, set after the memory limit (the kernel wants it no lower).
      if (fs::exists(dir / "memory.memsw.limit_in_bytes", ec)) write_value(dir / "memory.memsw.limit_in_bytes", limit);
    }
  } catch (const Error&) {
    return nullptr;  // its destructor removes it
  }
  return cgroup;
}

MemoryCgroup::~MemoryCgroup() {
  // Processes of an ended PID namespace may take a moment to leave it.
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::rmdir(dir_.c_str()) == 0 || errno != EBUSY) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void MemoryCgroup::add(pid_t pid) const {
  try {
    write_value(dir_ / "cgroup.procs", std::to_string(pid));
  } catch (const Error& e) {
    throw Error(e.code(), std::string("cannot put the iApp in its memory cgroup: ") + e.what());
  }
}

bool MemoryCgroup::oom_killed() const {
  if (v2_) return counter(read_small(dir_ / "memory.events"), "oom_kill").value_or(0) > 0;
  if (const auto kills = counter(read_small(dir_ / "memory.oom_control"), "oom_kill")) return *kills > 0;
  // Kernels before 4.13 do not count kills: the limit reached at least once is the best sign left.
  auto count = [&](const char* name) {
    const std::string text = read_small(dir_ / name);
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  };
  return count("memory.failcnt") > 0 || count("memory.memsw.failcnt") > 0;
}

}  // namespace pfs::network::local
