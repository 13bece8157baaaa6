// Unnamed empty files (O_TMPFILE) made ahead of time by a background thread, so that creating a staged file does
// not allocate an inode while the writer waits. Allocating one can cost far more than the rest of a small file's
// create, write and close: ext4 without a journal skips inodes freed in the last minutes, scanning past each of
// them on every allocation (find_inode_bit, recently_deleted), so after a large deletion (`rm -rf` of another
// copy) each creation scanned thousands (~0.5 ms each, >50 % of the daemon's time copying 5,000 small files).
//
// A spare has no name until link() gives it one, so a crash leaves nothing behind: its inode goes with the last
// descriptor (kill -9) or is an orphan the file system reclaims (power loss). Where the file system has no O_TMPFILE
// (or /proc is not mounted, which link() needs), take() returns no descriptor and the caller names a temporary.
#pragma once
#include <condition_variable>
#include <filesystem>
#include <thread>
#include <vector>

#include "protectedfs/staging/staging_store.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::staging::detail {

class SpareFiles {
 public:
  explicit SpareFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~SpareFiles();  // stops the thread; the spares' inodes go with their descriptors
  SpareFiles(const SpareFiles&) = delete;
  SpareFiles& operator=(const SpareFiles&) = delete;

  // An unnamed, empty, writable file in the directory (made now if none is ready: errors such as ENOSPC throw), or
  // no descriptor when the file system cannot make one. The first call starts the thread that keeps some ready.
  UniqueFd take();
  // Names `fd` (from take()) `path`, atomically and never over an existing entry: EEXIST then.
  static void link(int fd, const std::filesystem::path& path);
  // take() returns no descriptor from now on (link() failed for want of /proc: the caller names temporaries).
  void disable();

 private:
  static constexpr std::size_t kReady = StagingStore::kSpares;  // refilled once half are taken
  void run();
  UniqueFd make() const;  // no descriptor when unsupported

  const std::filesystem::path dir_;
  Mutex mutex_;
  std::condition_variable wake_;
  std::vector<UniqueFd> ready_ PFS_GUARDED_BY(mutex_);
  bool supported_ PFS_GUARDED_BY(mutex_) = true;
  bool paused_ PFS_GUARDED_BY(mutex_) = false;  // the thread failed to make one (full disk): until the next take()
  bool stopping_ PFS_GUARDED_BY(mutex_) = false;
  std::thread thread_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::staging::detail
