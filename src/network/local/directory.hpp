// The shared state of one opened local network directory: its layout, the lock that serializes writers across
// threads and processes, and recovery of what a crashed writer left behind.
//
// Layout (created on first use):
//   LOCK                    empty; flock(LOCK_EX) on it serializes every write below but content uploads
//   content/<CIDv0>         immutable (mode 0444) encrypted files, named by the CID of their bytes
//   content/.upload-XXXXXX  uploads in progress, each flock-ed by its writer while it lives
//   registry/<0xaddr>.json  one dataset record per file, named by the lowercase dataset address (replaced whole,
//                           by rename, when the dataset is transferred)
//   SEQUENCE                the last registration's order number (LocalRegistry::register_dataset), by rename
//   secrets/<0xaddr>        the dataset's secret as pushed (mode 0600, directory 0700)
//   secrets/<0xaddr>.result-key   a wallet's result-encryption public key (PEM; replaced when pushed again)
//   grants/<0xhash>.json    a published DatasetOrder and its signature, named by its order hash (immutable)
//   grants/<0xhash>.closed  the order closed by its dataset's owner (immutable; holds the order too)
//   tasks/<0xtask>.json     one access consumed by a run: which order, who paid whom and how much (immutable);
//                           a bulk task leaves one per dataset, named by bulk_access_id (address.hpp)
//   results/<0xtask>.zip    a task's result as the post-compute uploads it (the zip of $IEXEC_OUT, or its
//                           encrypted envelope: network/task_result.hpp), immutable
//   accounts/<0xaddr>/<0xid>.json  one faucet deposit to the account (immutable)
//   apps/<0xapp>/app, app.json     a registered iApp: its executable (mode 0555) and its record
//   apps/.register-XXXXXX/  an app being registered (always under LOCK)
//   */.<name>.partial-XXXX  temporaries of atomic writes (always under LOCK)
//
// Everything but a transferred record is written once and never changed: the grant book's state (consumed
// accesses, closes, balances) is the sum of these immutable events, so one write = one file appearing whole, and a
// crash at any point leaves a consistent book.
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
  std::filesystem::path grants() const { return root_ / "grants"; }
  std::filesystem::path tasks() const { return root_ / "tasks"; }
  std::filesystem::path results() const { return root_ / "results"; }
  std::filesystem::path accounts() const { return root_ / "accounts"; }
  std::filesystem::path apps() const { return root_ / "apps"; }

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
  // Under the write lock: every ".*" entry in registry/, secrets/, grants/, tasks/, accounts/*/ and apps/ is a dead
  // writer's temporary (live writers hold the lock); an upload temporary in content/ is dead when its flock can be
  // taken.
  void recover();

  std::filesystem::path root_;
  UniqueFd lock_fd_;
  std::mutex write_mutex_;
};

}  // namespace pfs::network::local
