// The shared state of one opened local network directory: its layout, the lock that serializes writers across
// threads and processes, and recovery of what a crashed writer left behind.
//
// Layout (created on first use):
//   LOCK                    empty; flock(LOCK_EX) on it serializes every registry and secret write
//   content/<CIDv0>         immutable (mode 0444) encrypted files, named by the CID of their bytes
//   content/.upload-XXXXXX  uploads in progress, each flock-ed by its writer while it lives
//   registry/<0xaddr>.json  one dataset record per file, named by the lowercase dataset address
//   secrets/<0xaddr>        the dataset's secret as pushed (mode 0600, directory 0700)
//   */.<name>.partial-XXXX  temporaries of atomic writes (always under LOCK)
#pragma once
#include <filesystem>
#include <mutex>

#include "network/local/files.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {

class Directory {
 public:
  // Creates the layout if needed and removes the temporaries of writers that died (see recover()).
  explicit Directory(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path content() const { return root_ / "content"; }
  std::filesystem::path registry() const { return root_ / "registry"; }
  std::filesystem::path secrets() const { return root_ / "secrets"; }

  // Exclusive access for a writer. Lock order: this process's mutex, then the flock on LOCK (the mutex first,
  // because threads of this process share the one LOCK descriptor, which flock does not tell apart).
  class WriteGuard {
   public:
    explicit WriteGuard(Directory& dir) : mutex_lock_(dir.write_mutex_), file_lock_(dir.lock_fd_.get()) {}

   private:
    std::lock_guard<std::mutex> mutex_lock_;
    FileLock file_lock_;
  };

 private:
  // Under the write lock: every ".*" file in registry/ and secrets/ is a dead writer's temporary (live writers hold
  // the lock); an upload temporary in content/ is dead when its flock can be taken.
  void recover();

  std::filesystem::path root_;
  UniqueFd lock_fd_;
  std::mutex write_mutex_;
};

}  // namespace pfs::network::local
