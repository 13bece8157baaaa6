// The RocksDB handle of the metadata cache, with the daemon's own error state around it, so that a full disk (or
// any failed write) is a state the cache leaves by itself rather than a crash.
//
// Why: Debian's librocksdb keeps its assertions, and a write or sync issued on a WAL file that already failed a
// write aborts the process (WritableFileWriter::AssertFalseAndGetStatusForPrevError). So:
//  - after any failed write the cache is "suspended": no write, sync or flush reaches RocksDB; each one fails at
//    once with the errno of the failure (ENOSPC for a full disk, else EIO); reads go on as before;
//  - the WAL is synced with an empty synced write batch, never FlushWAL/SyncWAL: RocksDB's write path checks its
//    background error first, SyncWAL does not (and would hit the assertion);
//  - RocksDB's own automatic recovery is turned off (it would race with ours); ours runs on the next write once the
//    disk has kRecoverySpace free and at most once a second: DB::Resume, else close and reopen (RocksDB gives up
//    for good when switching memtables fails), else a read-only open so that reads still work;
//  - an open that fails for lack of space falls back to a read-only open: the mount comes up, suspended.
// Closing never syncs a suspended cache: what was acknowledged is in the WAL already.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>

#include "protectedfs/util/mutex.hpp"

namespace pfs::cache {

// Test seams: the file system RocksDB writes through (faults injected), the free space, the clock.
struct DbHooks {
  std::shared_ptr<rocksdb::Env> env;                           // default: RocksDB's default Env
  std::function<uint64_t(const std::string& dir)> free_bytes;  // default: statvfs, bytes available
  std::function<std::chrono::steady_clock::time_point()> now;  // default: steady_clock::now
};

class GuardedDb {
 public:
  // Free space needed before a suspended cache tries to write again: a memtable flush (1 MiB), a new WAL and
  // MANIFEST, with room to spare.
  static constexpr uint64_t kRecoverySpace = 4 << 20;
  static constexpr std::chrono::seconds kRecoveryInterval{1};

  // Opens `dir` (it exists). Throws pfs::Error: EBUSY when another handle holds it, the errno of the failure when
  // it cannot be opened even read-only.
  GuardedDb(std::string dir, DbHooks hooks);
  ~GuardedDb();  // syncs the WAL unless suspended, then closes
  GuardedDb(const GuardedDb&) = delete;
  GuardedDb& operator=(const GuardedDb&) = delete;

  // Throws pfs::Error(errno, what + ": " + reason): the failure's errno while suspended, else errno_of(status).
  void write(rocksdb::WriteBatch& batch, bool sync, const std::string& what);
  void put(std::string_view key, std::string_view value, bool sync, const std::string& what);
  void erase(std::string_view key, bool sync, const std::string& what);
  void sync(const std::string& what);  // everything written so far survives a power loss when it returns

  std::optional<std::string> get(std::string_view key, const std::string& what);
  // Every record whose key starts with `prefix`, in key order.
  void scan(std::string_view prefix, const std::string& what,
            const std::function<void(const rocksdb::Slice& key, const rocksdb::Slice& value)>& each);

  // Empty while writes go through; else why they are suspended and when they resume (one line, for the status).
  std::string trouble() const;

 private:
  struct Failure {
    int error = 0;       // errno the suspended writes fail with
    std::string reason;  // the first failure, RocksDB's text
  };

  rocksdb::Status open_read_write() PFS_REQUIRES(db_mutex_);
  rocksdb::Status open_read_only() PFS_REQUIRES(db_mutex_);
  void close() PFS_REQUIRES(db_mutex_);
  // Throws while suspended and recovery is not due or fails; returns once writes may go to RocksDB.
  void recover_if_suspended(const std::string& what) PFS_EXCLUDES(db_mutex_, state_mutex_);
  bool recover() PFS_REQUIRES(db_mutex_) PFS_EXCLUDES(state_mutex_);
  void suspend(const rocksdb::Status& status, const std::string& what) PFS_EXCLUDES(state_mutex_);
  [[noreturn]] void throw_suspended(const std::string& what) PFS_EXCLUDES(state_mutex_);
  void run_write(rocksdb::WriteBatch& batch, bool sync, const std::string& what);

  const std::string dir_;
  const DbHooks hooks_;
  const rocksdb::Options options_;

  // Shared by every read and write; exclusive to close and reopen.
  mutable SharedMutex db_mutex_;
  std::unique_ptr<rocksdb::DB> db_ PFS_GUARDED_BY(db_mutex_);
  bool read_only_ PFS_GUARDED_BY(db_mutex_) = false;

  mutable Mutex state_mutex_;
  std::optional<Failure> failure_ PFS_GUARDED_BY(state_mutex_);
  std::chrono::steady_clock::time_point next_attempt_ PFS_GUARDED_BY(state_mutex_){};
};

}  // namespace pfs::cache
