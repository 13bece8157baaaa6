// RocksDB statuses as pfs::Error, so callers see one error type with an errno.
#pragma once
#include <string>

#include <rocksdb/status.h>

namespace pfs::cache {

// ENOSPC for a full disk, EIO for IO errors and corruption (with RocksDB's text), EBUSY for busy/try-again,
// EINVAL for invalid arguments, EIO for anything else.
int errno_of(const rocksdb::Status& status);

// Throws pfs::Error(errno_of(status), what + ": " + status text) unless status is OK.
void check(const rocksdb::Status& status, const std::string& what);

// True for the status of an open refused because another handle holds the directory's LOCK file.
bool is_lock_conflict(const rocksdb::Status& status);

}  // namespace pfs::cache
