// What every handle on one staged file shares, and the block-level I/O the handle operations are built from.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "block_cipher.hpp"
#include "format.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::staging::detail {

struct FileState {
  FileState(uint64_t id_, UniqueFd fd_, format::Algorithm algorithm_, const format::FileKey& key_,
            std::filesystem::path dir_)
      : id(id_), fd(std::move(fd_)), algorithm(algorithm_), key(key_), dir(std::move(dir_)) {}
  ~FileState();
  FileState(const FileState&) = delete;
  FileState& operator=(const FileState&) = delete;

  const uint64_t id;
  const UniqueFd fd;
  const format::Algorithm algorithm;
  format::FileKey key;  // wiped by the destructor
  const std::filesystem::path dir;

  // A second descriptor of the file opened with O_DIRECT, for runs of blocks of kDirectBytes or more (block_io.cpp):
  // opened on first use; kNoDirect where the file system refuses O_DIRECT (tmpfs). Owned, closed by the destructor.
  static constexpr int kUnopened = -1, kNoDirect = -2;
  mutable std::atomic<int> direct_fd{kUnopened};

  SharedMutex lock;                        // shared: read, size; exclusive: write, truncate
  uint64_t size PFS_GUARDED_BY(lock) = 0;  // plaintext size
  std::atomic<bool> dir_synced{false};     // the directory entry was fsynced once since creation
  // Bytes [reserved_from, reserved_to) of the file on disk have their space allocated (staged_file.cpp, reserve()):
  // a write behind there cannot run out of room. Empty: none known.
  uint64_t reserved_from PFS_GUARDED_BY(lock) = 0;
  uint64_t reserved_to PFS_GUARDED_BY(lock) = 0;

  // Write-behind (write_behind.hpp): runs of this file queued or being written; and the error the first of them that
  // failed met, after its write() had returned (0: none). Its bytes are lost: reads of the file fail until it is
  // truncated to 0.
  std::atomic<int> queued{0};
  std::atomic<int> late_error{0};

  std::string name() const { return "staged file " + std::to_string(id); }
};

// Reads `count` whole blocks from `first` into `out` (count * kBlockSize bytes), as the last write left them (runs
// still written behind included). EIO once a write behind of the file failed.
void read_blocks(const FileState& state, uint64_t first, std::size_t count, uint8_t* out);
// Writes blocks now, after the file's runs still written behind (so that the two land in the order they were made).
void write_blocks(const FileState& state, uint64_t first, std::span<const uint8_t> blocks);
// Writes blocks now, whatever is queued: for the write-behind thread itself.
void write_blocks_now(const FileState& state, uint64_t first, std::span<const uint8_t> blocks);
// EIO once a write behind of the file failed after its write() had returned.
void throw_if_lost(const FileState& state);
// Waits for the file's runs written behind (EIO if one failed after its write returned) and gives back the room
// allocated ahead of them: what close(2) needs (StagingStore::settle), and sync() before it flushes.
void settle(FileState& state);
// Decrypts one block read from disk into plain[kCapacity]: a hole (all zeros) reads as zeros; a block that fails
// authentication throws EIO. Returns the block's stored length (0 for a hole).
uint32_t open_block(const FileState& state, BlockCipher& cipher, uint64_t index, const uint8_t* block, uint8_t* plain);
// Trims what an unfinished extension leaves (a trailing partial block, trailing all-zero blocks) and returns the
// plaintext size. A last block that fails authentication counts as full (reading it gives EIO).
uint64_t recover_size(FileState& state);

}  // namespace pfs::staging::detail
