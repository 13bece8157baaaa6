#include "cache/guarded_db.hpp"

#include <sys/statvfs.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "cache/options.hpp"
#include "cache/status.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cache {

namespace {

DbHooks with_defaults(DbHooks hooks) {
  if (!hooks.free_bytes) {
    hooks.free_bytes = [](const std::string& dir) -> uint64_t {
      struct statvfs st {};
      if (::statvfs(dir.c_str(), &st) != 0) return 0;
      return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    };
  }
  if (!hooks.now) hooks.now = [] { return std::chrono::steady_clock::now(); };
  return hooks;
}

rocksdb::Options options_with(const DbHooks& hooks) {
  rocksdb::Options options = metadata_db_options();
  if (hooks.env) options.env = hooks.env.get();
  return options;
}

rocksdb::WriteOptions write_options(bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return options;
}

}  // namespace

GuardedDb::GuardedDb(std::string dir, DbHooks hooks)
    : dir_(std::move(dir)), hooks_(with_defaults(std::move(hooks))), options_(options_with(hooks_)) {
  WriterLock lock(db_mutex_);
  const rocksdb::Status status = open_read_write();
  if (status.ok()) return;
  if (is_lock_conflict(status)) throw Error(EBUSY, "cache " + dir_ + " is in use by another protectedfs");
  // Out of space: come up read-only (reads are what the owner needs most) and write again once space is back.
  if (!status.IsNoSpace() || !open_read_only().ok()) check(status, "cannot open cache " + dir_);
  suspend(status, "opening cache " + dir_);
}

GuardedDb::~GuardedDb() {
  WriterLock lock(db_mutex_);
  if (!db_) return;
  bool suspended;
  {
    MutexLock state(state_mutex_);
    suspended = failure_.has_value();
  }
  // Unsynced tree writes are in the kernel's page cache; fsync them so a clean unmount followed by a power loss
  // keeps them too. A suspended cache is not synced (it would abort: see the header); its WAL holds what was
  // acknowledged. Errors can't be reported from here.
  if (!suspended && !read_only_) {
    rocksdb::WriteBatch empty;
    (void)db_->Write(write_options(true), &empty);
  }
  close();
}

rocksdb::Status GuardedDb::open_read_write() {
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options_, dir_, &db);
  if (status.ok()) {
    db_.reset(db);
    read_only_ = false;
  }
  return status;
}

rocksdb::Status GuardedDb::open_read_only() {
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::OpenForReadOnly(options_, dir_, &db);
  if (status.ok()) {
    db_.reset(db);
    read_only_ = true;
  }
  return status;
}

void GuardedDb::close() {
  if (!db_) return;
  // Close() of a database whose WAL failed reports "Seen error. Skip writing buffer." and writes nothing.
  (void)db_->Close();
  db_.reset();
}

std::string GuardedDb::trouble() const {
  MutexLock lock(state_mutex_);
  if (!failure_) return "";
  if (failure_->error == ENOSPC)
    return "read-only: no space left on the disk of " + dir_ + " (writes resume once space is freed)";
  return "read-only: " + failure_->reason + " (writes are tried again once a second)";
}

void GuardedDb::suspend(const rocksdb::Status& status, const std::string& what) {
  MutexLock lock(state_mutex_);
  if (failure_) return;  // the first failure says why
  failure_ = Failure{errno_of(status), status.ToString()};
  next_attempt_ = hooks_.now() + kRecoveryInterval;
  spdlog::warn("{} failed; cache writes suspended until {}: {}", what,
               failure_->error == ENOSPC ? "space is freed" : "a retry succeeds", failure_->reason);
}

void GuardedDb::throw_suspended(const std::string& what) {
  MutexLock lock(state_mutex_);
  if (!failure_) throw Error(EIO, what + ": the cache is closed");
  throw Error(failure_->error, what + ": cache writes are suspended since " + failure_->reason);
}

void GuardedDb::recover_if_suspended(const std::string& what) {
  {
    MutexLock lock(state_mutex_);
    if (!failure_) return;
    const auto now = hooks_.now();
    if (now < next_attempt_) {
      lock.unlock();
      throw_suspended(what);
    }
    if (hooks_.free_bytes(dir_) < kRecoverySpace) {
      lock.unlock();
      throw_suspended(what);
    }
    next_attempt_ = now + kRecoveryInterval;
  }
  WriterLock lock(db_mutex_);
  {
    MutexLock state(state_mutex_);
    if (!failure_) return;  // another thread recovered while this one waited
  }
  if (!recover()) throw_suspended(what);
  MutexLock state(state_mutex_);
  spdlog::info("cache: writes resumed (were suspended since {})", failure_->reason);
  failure_.reset();
}

bool GuardedDb::recover() {
  // Resume flushes the memtables and starts a new WAL, which is what clears a failed WAL writer.
  if (db_ && !read_only_ && db_->Resume().ok()) return true;
  close();
  rocksdb::Status status = open_read_write();
  if (status.ok()) return true;
  spdlog::warn("cache: reopening {} failed: {}", dir_, status.ToString());
  if (!open_read_only().ok()) spdlog::error("cache: {} cannot be opened even read-only: reads fail too", dir_);
  return false;
}

void GuardedDb::run_write(rocksdb::WriteBatch& batch, bool sync, const std::string& what) {
  recover_if_suspended(what);
  rocksdb::Status status;
  {
    ReaderLock lock(db_mutex_);
    if (!db_ || read_only_) {
      status = rocksdb::Status::IOError("the cache is open read-only");
    } else {
      // A write racing with another thread's failure is safe: RocksDB's write path checks its background error.
      status = db_->Write(write_options(sync), &batch);
    }
  }
  if (status.ok()) return;
  suspend(status, what);
  throw_suspended(what);
}

void GuardedDb::write(rocksdb::WriteBatch& batch, bool sync, const std::string& what) { run_write(batch, sync, what); }

void GuardedDb::put(std::string_view key, std::string_view value, bool sync, const std::string& what) {
  rocksdb::WriteBatch batch;
  check(batch.Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size())), what);
  run_write(batch, sync, what);
}

void GuardedDb::erase(std::string_view key, bool sync, const std::string& what) {
  rocksdb::WriteBatch batch;
  check(batch.Delete(rocksdb::Slice(key.data(), key.size())), what);
  run_write(batch, sync, what);
}

void GuardedDb::sync(const std::string& what) {
  // An empty synced write fsyncs the WAL (tests/unit/cache checks the counter), through the write path.
  rocksdb::WriteBatch empty;
  run_write(empty, true, what);
}

std::optional<std::string> GuardedDb::get(std::string_view key, const std::string& what) {
  ReaderLock lock(db_mutex_);
  if (!db_) throw Error(EIO, what + ": the cache cannot be opened");
  std::string value;
  const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, what);
  return value;
}

void GuardedDb::scan(std::string_view prefix, const std::string& what,
                     const std::function<void(const rocksdb::Slice& key, const rocksdb::Slice& value)>& each) {
  ReaderLock lock(db_mutex_);
  if (!db_) throw Error(EIO, what + ": the cache cannot be opened");
  const rocksdb::Slice start(prefix.data(), prefix.size());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) each(it->key(), it->value());
  check(it->status(), what);
}

}  // namespace pfs::cache
