// One thread that takes the second half of a large staged write (StagedFile::write), so that its sealing and its
// copy into the page cache run on the second core while the writer's thread does the first half. A copy through
// FUSE is a chain (cp waits for the reply to each write before it sends the next), and the daemon's part of it is
// mostly this work: on 2 cores a 1 MiB write took ~435 µs whole and ~310 µs in halves. One job at a time; a writer
// that finds the helper busy (another file being written at the same moment) does its whole write itself.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <optional>

#include "protectedfs/util/mutex.hpp"

namespace pfs::staging::detail {

class WriteHelper {
 public:
  static WriteHelper& instance();  // started on first use; never stopped (it outlives static destruction)

  // Runs `job` on the helper's thread if it is free, and then the caller must wait(); false when it is busy.
  bool try_start(std::function<void()> job) PFS_EXCLUDES(mutex_);
  // Waits for the job started; rethrows its error.
  void wait() PFS_EXCLUDES(mutex_);

 private:
  WriteHelper();
  void run() PFS_EXCLUDES(mutex_);

  Mutex mutex_;
  std::condition_variable started_, finished_;
  std::optional<std::function<void()>> job_ PFS_GUARDED_BY(mutex_);  // given, not taken by the thread yet
  bool busy_ PFS_GUARDED_BY(mutex_) = false;                         // from try_start() to the end of wait()
  bool done_ PFS_GUARDED_BY(mutex_) = false;                         // the job ran; error_ is its outcome
  std::exception_ptr error_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::staging::detail
