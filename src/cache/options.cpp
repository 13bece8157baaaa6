#include "cache/options.hpp"

#include <cstdarg>
#include <cstdio>

#include <rocksdb/env.h>
#include <rocksdb/listener.h>
#include <spdlog/spdlog.h>

namespace pfs::cache {

namespace {

// RocksDB's info log goes to the daemon's log, never to a file of its own: its file logger writes through a
// WritableFileWriter, and on a full disk the write after a failed one aborts the process (Debian keeps
// RocksDB's assertions). spdlog reports its own write errors and never throws from here. Warnings and errors
// only: RocksDB's informational lines (options dumps, compactions) are noise for a metadata cache.
class DaemonLogger final : public rocksdb::Logger {
 public:
  DaemonLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char text[1024];
    std::vsnprintf(text, sizeof text, format, ap);
    try {
      spdlog::log(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err : spdlog::level::warn, "rocksdb: {}",
                  text);
    } catch (...) {
      // a log line is never worth a failure
    }
  }
};

// The cache recovers from background errors itself (cache/guarded_db.hpp): RocksDB's own recovery thread would
// resume behind the daemon's back, racing with its reopen.
class NoAutoRecovery final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "pfs-no-auto-recovery"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

rocksdb::Options metadata_db_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Defaults otherwise: the WAL is on and written (write(2), not fsync) on every put, which is what makes an
  // unsynced put survive the daemon being killed; manual_wal_flush stays false for the same reason; paranoid_checks
  // stays true so that a failed WAL write stops the database (GuardedDb relies on it).
  //
  // Sized for a metadata cache (a few MiB at most), not a server: the defaults reserve ~55 MiB at open (a WAL
  // fallocate'd for a 64 MiB write buffer, a 4 MiB MANIFEST preallocation), which fills a small disk by itself.
  options.write_buffer_size = 1 << 20;  // a memtable flushes at 1 MiB (~5000 nodes)
  options.max_write_buffer_number = 2;
  options.max_total_wal_size = 4 << 20;  // older WALs are flushed and dropped past 4 MiB
  options.allow_fallocate = false;       // nothing reserved ahead: the WAL and MANIFEST take what they hold
  options.manifest_preallocation_size = 64 << 10;
  options.max_manifest_file_size = 1 << 20;  // a new MANIFEST past 1 MiB (the default lets it grow to 1 GiB)
  options.recycle_log_file_num = 0;
  options.target_file_size_base = 2 << 20;  // compaction outputs (and the space they need meanwhile) stay small
  options.max_bytes_for_level_base = 8 << 20;
  options.keep_log_file_num = 1;  // no info LOG file is written (info_log below); old ones from before are dropped
  options.info_log = std::make_shared<DaemonLogger>();
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.listeners.push_back(std::make_shared<NoAutoRecovery>());
  return options;
}

}  // namespace pfs::cache
