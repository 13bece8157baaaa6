// A FUSE request is a round trip: the requester sleeps, a worker thread wakes, answers, and wakes the requester.
// The kernel wakes a worker on whichever CPU is idle, which on a 2-core machine is the other one, and waking an idle
// CPU (an interrupt to a halted virtual CPU) costs far more than answering: a getxattr loop makes ~4x fewer round
// trips per second across CPUs than on one, and a small file's copy (seven round trips) is bound by that too. A
// worker that served a thread moves to the CPU that thread runs on, so that the next round trip (the requester asks
// again as soon as it is answered) stays on one CPU, as FUSE over io_uring's per-CPU queues would do. Where the
// requester runs is read from /proc/TID/stat (its "processor" field), again every kRecheckNs.
// Only a requester served twice in a row is followed: when several ask at once, the workers take their requests in
// turn, and pinning to each in turn would cost a /proc read per request and leave workers on the wrong CPU; such a
// worker is unpinned instead (the scheduler places it as it would without this).
#include "fuse/requester_cpu.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <string>

namespace pfs::fuse {
namespace {

// A requester the scheduler moved is followed within 2 ms: meanwhile this thread may wait for a busy CPU while the
// requester's is idle. Re-reading costs a few microseconds, so a tight loop of requests re-reads once in ~100.
constexpr int64_t kRecheckNs = 2'000'000;

int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // not _COARSE: its tick (up to 4 ms) is coarser than kRecheckNs
  return t.tv_sec * 1'000'000'000LL + t.tv_nsec;
}

int last_cpu(int fd) {
  char text[1024];
  const ssize_t n = pread(fd, text, sizeof text, 0);
  return n > 0 ? processor_of_stat(std::string_view(text, static_cast<std::size_t>(n))) : -1;
}

// What one worker thread knows of the requester it follows. The /proc file stays open: reading it again gives
// fresh values.
constexpr int kUnpinned = -1;
constexpr int kMaybePinned = -2;  // a new worker: libfuse may have started it from a pinned one, whose CPU it inherits

struct Followed {
  pid_t last = 0;  // the requester of the previous request this thread served
  pid_t pid = 0;   // the requester followed, whose /proc/TID/stat is `fd`
  int fd = -1;
  int cpu = kMaybePinned;  // where this thread is pinned
  int64_t checked_ns = 0;
  ~Followed() {
    if (fd >= 0) close(fd);
  }
};
thread_local Followed followed;

}  // namespace

int processor_of_stat(std::string_view stat) {
  // The name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return -1;
  int field = 2;
  std::size_t i = close + 1;
  for (; i < stat.size() && field < 39; ++i)
    if (stat[i] == ' ') ++field;
  if (field != 39 || i >= stat.size() || stat[i] < '0' || stat[i] > '9') return -1;
  int cpu = 0;
  for (; i < stat.size() && stat[i] >= '0' && stat[i] <= '9'; ++i) cpu = cpu * 10 + (stat[i] - '0');
  return cpu;
}

void follow_requester(pid_t pid) {
  // Every CPU the daemon may run on, taken before any worker is pinned (the first call comes before any pinning).
  static const cpu_set_t all = [] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
      for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) CPU_SET(cpu, &set);
    return set;
  }();
  if (pid <= 0) return;  // requests the kernel sends on its own (release, forget)
  if (pid != followed.last) {
    followed.last = pid;
    if (followed.cpu != kUnpinned && sched_setaffinity(0, sizeof all, &all) == 0) followed.cpu = kUnpinned;
    return;
  }
  const int64_t now = now_ns();
  if (pid == followed.pid && followed.cpu >= 0 && now - followed.checked_ns < kRecheckNs) return;
  if (pid != followed.pid) {
    if (followed.fd >= 0) close(followed.fd);
    followed.fd = open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    followed.pid = pid;
  }
  followed.checked_ns = now;
  if (followed.fd < 0) return;
  const int cpu = last_cpu(followed.fd);
  if (cpu < 0) {  // the thread ended (its id may come back as another's): opened again next time
    close(followed.fd);
    followed.fd = -1;
    followed.pid = 0;
    return;
  }
  if (cpu == followed.cpu || cpu >= CPU_SETSIZE) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) == 0) followed.cpu = cpu;
}

}  // namespace pfs::fuse
