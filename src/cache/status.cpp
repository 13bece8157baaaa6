#include "cache/status.hpp"

#include <cerrno>

#include "protectedfs/util/error.hpp"

namespace pfs::cache {

int errno_of(const rocksdb::Status& status) {
  // NoSpace is an IOError with a subcode: test it first.
  if (status.IsNoSpace()) return ENOSPC;
  if (status.IsIOError() || status.IsCorruption()) return EIO;
  if (status.IsBusy() || status.IsTryAgain()) return EBUSY;
  if (status.IsInvalidArgument()) return EINVAL;
  if (status.IsNotSupported()) return ENOTSUP;
  return EIO;
}

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw Error(errno_of(status), what + ": " + status.ToString());
}

bool is_lock_conflict(const rocksdb::Status& status) {
  // RocksDB 7.8 (env/fs_posix.cc) reports both cases as IO errors naming the lock:
  //   another process:  "While lock file: DIR/LOCK: Resource temporarily unavailable"
  //   this process:     "lock hold by current process, acquire time ... DIR/LOCK: No locks available"
  if (!status.IsIOError()) return false;
  const std::string text = status.ToString();
  return text.find("lock file") != std::string::npos || text.find("lock hold") != std::string::npos;
}

}  // namespace pfs::cache
