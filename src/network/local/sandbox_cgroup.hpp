// The memory limit of an isolated iApp held by a memory cgroup of its own, so that an app past it is killed by the
// kernel's OOM killer and the runner can tell that this is why it ended (RLIMIT_DATA only makes the app's own
// allocation fail, which the runner cannot tell from any other failure).
//
// The cgroup is a child of the runner's own memory cgroup (/proc/self/cgroup): cgroup v2's memory.max where the
// unified hierarchy offers the memory controller, else cgroup v1's memory.limit_in_bytes (and memsw, so that swap
// does not stretch it). Making it needs write access to the runner's cgroup: root, or a delegated cgroup. Where
// neither hierarchy can be written, there is none (MemoryCgroup::create answers null) and the runner keeps
// RLIMIT_DATA.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

namespace pfs::network::local {

// Where the runner's own memory cgroup is, read from the text of /proc/self/cgroup and the hierarchies mounted at
// `root`: the v2 one first (a "0::PATH" line whose cgroup lists memory in its cgroup.controllers, at root or at
// root/unified), else the v1 one (an "N:...memory...:PATH" line, at root/memory). Null when neither exists.
struct CgroupPlace {
  std::filesystem::path dir;
  bool v2 = false;
};
std::optional<CgroupPlace> find_memory_cgroup(std::string_view proc_self_cgroup,
                                              const std::filesystem::path& root = "/sys/fs/cgroup");

class MemoryCgroup {
 public:
  // A new cgroup below the runner's own memory cgroup, limited to `bytes` (swap included); null where the machine
  // does not let this process make one. Removes the empty cgroups earlier runners that died left behind.
  static std::unique_ptr<MemoryCgroup> create(uint64_t bytes);
  static std::unique_ptr<MemoryCgroup> create_in(const CgroupPlace& parent, uint64_t bytes);
  // Removes the cgroup (its processes must have ended: a busy one is retried for a moment, then left).
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  // Moves a process into it (its children then start there). Throws Error(errno).
  void add(pid_t pid) const;
  // Whether the kernel killed one of its processes for passing the limit.
  bool oom_killed() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  MemoryCgroup(std::filesystem::path dir, bool v2) : dir_(std::move(dir)), v2_(v2) {}
  std::filesystem::path dir_;
  bool v2_;
};

}  // namespace pfs::network::local
