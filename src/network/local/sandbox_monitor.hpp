// What an isolated iApp uses, seen from outside while it runs: its processes and threads and their CPU time (read
// in its own /proc, through its first process's root), and the size of what it wrote to IEXEC_OUT. Sampled by the
// runner between two waits; anything unreadable counts as nothing (the kernel's per-process limits still hold).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>

namespace pfs::network::local {

struct SandboxUsage {
  uint64_t processes = 0;  // processes and threads, the sandbox's first process excepted
  double cpu_seconds = 0;  // user + system time of every process, alive or ended
  uint64_t output_bytes = 0;
};

class SandboxMonitor {
 public:
  SandboxMonitor(pid_t first_process, std::filesystem::path out_dir)
      : first_process_(first_process), out_dir_(std::move(out_dir)) {}
  SandboxUsage sample() const;
  // The apparent size of every file under IEXEC_OUT (symlinks not followed).
  uint64_t output_bytes() const;

 private:
  pid_t first_process_;
  std::filesystem::path out_dir_;
};

}  // namespace pfs::network::local
