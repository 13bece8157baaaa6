// Keeps a FUSE worker thread on the CPU of the process it serves (see requester_cpu.cpp for why).
#pragma once
#include <sys/types.h>

#include <string_view>

namespace pfs::fuse {

// Called by a worker thread after it answered a request of `pid` (a thread id, as FUSE gives it): from then on the
// thread runs on the CPU that thread last ran on. Cheap when nothing changed; failures are ignored (a heuristic).
void follow_requester(pid_t pid);

// The CPU a thread last ran on, from the text of its /proc/TID/stat (field 39, "processor"); -1 if it has none.
int processor_of_stat(std::string_view stat);

}  // namespace pfs::fuse
