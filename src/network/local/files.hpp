// File helpers of the local network: a cross-process lock, immutable files published whole or not at all, and the
// names that mark a temporary file (so that readers skip them and recovery removes them).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {

// Holds flock(LOCK_EX) on an open lock file for its lifetime. flock belongs to the open file description, so two
// descriptors (two processes, or two opens in one process) exclude each other, but two threads sharing one
// descriptor do not: callers pair it with a mutex.
class FileLock {
 public:
  explicit FileLock(int fd);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

// Every temporary file of the store starts with '.': no final name does (CIDs start with "Qm", records and secrets
// with "0x"), so a name's first character tells the two apart.
inline bool is_temporary_name(std::string_view name) { return !name.empty() && name.front() == '.'; }

// Writes `data` to a temporary sibling, fsyncs it, and links it to dir/name only if that name is free (the
// O_EXCL of a file that appears whole): EEXIST if it already exists, and then nothing has changed. The directory
// is fsynced so that the new name survives a crash.
void create_file_atomically(const std::filesystem::path& dir, const std::string& name, ByteView data, mode_t mode);

// Links an already written and fsynced temporary file to dir/name unless the name exists; returns false (and
// changes nothing) if it does. The temporary name is left for the caller to remove.
bool link_if_absent(const std::filesystem::path& temporary, const std::filesystem::path& dir, const std::string& name);

// Writes `data` to a temporary sibling, fsyncs it and renames it over dir/name: readers see the old file or the
// new one, whole, never a mix. For the few files that change (a transferred dataset's record); the caller holds the
// write lock.
void replace_file_atomically(const std::filesystem::path& dir, const std::string& name, ByteView data, mode_t mode);

void fsync_directory(const std::filesystem::path& dir);

// The names in a directory (without "." and ".."), in no particular order.
std::vector<std::string> list_directory(const std::filesystem::path& dir);

// Now, in unix seconds: the time stamps written in records.
uint64_t unix_seconds();

// mkdir that accepts an existing directory (several processes may create the layout at once).
void ensure_directory(const std::filesystem::path& dir, mode_t mode);

}  // namespace pfs::network::local
