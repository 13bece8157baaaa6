// The staging store: the contents of files written into the mount, kept locally (encrypted at rest) until published.
//
// Each staged file is `<dir>/<id as 16 hex digits>.stg`: one 4096-byte header, then 4096-byte blocks, each one
// AEAD-sealed unit holding up to kBlockCapacity (4052) plaintext bytes (src/staging/format.hpp has the layout).
// Files are named by a 64-bit id that the caller chooses (the file system's inode number); the store never invents
// ids. Writes go to the page cache only; sync() is the one call that makes them durable (fdatasync, plus the
// directory once per file), so close/fsync in the mount map to sync().
//
// Thread safety: a StagingStore and its StagedFile handles may be used from any number of threads. Handles to the
// same id share one state (one descriptor, one reader/writer lock): reads run in parallel, a write or truncate
// excludes everything else on that file, sync() takes no lock while it waits for the disk. Lock order: the store's
// map mutex is never held while a file lock is taken, so there is nothing to order.
//
// Crash semantics (kill -9 or power loss): everything written before a sync() that returned is intact. Blocks are
// page-aligned and exactly one page, so a write cut short by kill -9 leaves every block either old or new, never
// torn; a file cut short mid-extension ends at a block boundary and stays readable. Opening a file drops a trailing
// partial block and trailing all-zero blocks (only an unfinished extension leaves those); a last block that fails
// authentication makes that block alone read as EIO.
//
// What authentication covers: each block is bound to its file (key derived from the header, id in the associated
// data) and its position, so blocks cannot be altered, moved or swapped between files. As in gocryptfs, an all-zero
// block is a hole and reads as zeros, and dropping whole blocks at the end (truncation) is not detectable.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::crypto {
class PrivateKey;
}

namespace pfs::staging {

// 32 secret bytes; wiped when destroyed, never printed.
class MasterKey {
 public:
  static constexpr std::size_t kSize = 32;
  explicit MasterKey(std::span<const uint8_t, kSize> bytes);
  static MasterKey random();
  MasterKey(const MasterKey& other) : MasterKey(std::span<const uint8_t, kSize>(other.bytes_)) {}
  MasterKey& operator=(const MasterKey& other);
  ~MasterKey();
  std::span<const uint8_t, kSize> bytes() const noexcept { return bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// crypto::derive_key (BLAKE2b-256) keyed with the wallet's secret key over a fixed context string: the same wallet
// always gives the same key, and the key reveals nothing about the wallet's.
MasterKey derive_staging_key(const crypto::PrivateKey& wallet_key);

namespace detail {
struct FileState;
class SpareFiles;
}  // namespace detail

// A handle on one staged file; cheap to copy (handles on the same id share state). Stays usable after remove()
// (like an open descriptor on an unlinked file) and after the store is destroyed.
class StagedFile {
 public:
  uint64_t id() const;
  // Bytes read into out (fewer only at end of file); holes read as zeros. EIO when a block fails authentication.
  std::size_t read(uint64_t offset, std::span<uint8_t> out) const;
  // Anywhere, past the end too (the gap reads as zeros). EFBIG past max_size().
  void write(uint64_t offset, ByteView data);
  void truncate(uint64_t size);
  uint64_t size() const;
  // When it returns, everything written so far through any handle survives kill -9 and power loss.
  void sync();
  static uint64_t max_size();

 private:
  friend class StagingStore;
  explicit StagedFile(std::shared_ptr<detail::FileState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::FileState> state_;
};

class StagingStore {
 public:
  // Once create() was called, up to this many descriptors of unnamed empty files made ahead (src/staging/
  // spare_files.hpp): a creation then allocates no inode while its caller waits.
  static constexpr std::size_t kSpares = 32;

  // Creates `dir` (0700) if missing, takes an exclusive lock on it (EBUSY if another store holds it), and removes
  // temporaries left by a crash.
  StagingStore(std::filesystem::path dir, MasterKey key);
  ~StagingStore();
  StagingStore(const StagingStore&) = delete;
  StagingStore& operator=(const StagingStore&) = delete;

  StagedFile create(uint64_t id);  // an empty file; EEXIST if id is present
  StagedFile open(uint64_t id);    // ENOENT if absent; EIO if its header fails authentication (wrong key)
  bool exists(uint64_t id) const;
  void remove(uint64_t id);  // ENOENT if absent; open handles keep working on the unlinked file
  // Waits until the writes of `id` that returned have landed (large ones are written behind: src/staging/
  // write_behind.hpp): a kill -9 cannot lose them. EIO if one failed on the disk after it returned.
  void settle(uint64_t id);
  std::vector<uint64_t> list() const;  // the ids present, ascending (recovery after a crash)
  // Makes creations and removals so far durable (sync() of a file already covers its own creation).
  void sync_directory() const;
  const std::filesystem::path& directory() const noexcept { return dir_; }

 private:
  std::filesystem::path path_of(uint64_t id) const;
  std::vector<std::string> names() const;
  std::shared_ptr<detail::FileState> load(uint64_t id, UniqueFd fd);
  // create() where the file system cannot make unnamed files: a temporary name, renamed once the header is in.
  UniqueFd create_named(uint64_t id, const std::filesystem::path& path, ByteView header_bytes) PFS_REQUIRES(mutex_);

  std::filesystem::path dir_;
  MasterKey key_;
  UniqueFd lock_fd_;
  Mutex mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<detail::FileState>> open_ PFS_GUARDED_BY(mutex_);
  std::unique_ptr<detail::SpareFiles> spares_;  // after dir_: made from it
};

}  // namespace pfs::staging
