// Handle operations: reads and writes in runs of whole blocks (one pread or pwrite per run of up to kRunBlocks),
// with read-modify-write of the partial block at either end of a write.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <exception>

#include "file_state.hpp"
#include "protectedfs/staging/staging_store.hpp"
#include "protectedfs/util/error.hpp"
#include "write_behind.hpp"
#include "write_helper.hpp"

namespace pfs::staging {

using namespace format;
using detail::FileState;

namespace {

constexpr std::size_t kRunBlocks = 64;  // 256 KiB of ciphertext per system call at most
constexpr uint64_t kMaxSize = kMaxBlocks * kCapacity;

// Per-thread scratch space, so the data path allocates nothing after a thread's first call.
struct Scratch {
  alignas(kBlockSize) uint8_t blocks[kRunBlocks * kBlockSize];  // aligned: runs may be written with O_DIRECT
  uint8_t nonces[kRunBlocks * kNonceSize];
  uint8_t plain[kCapacity];
  uint8_t edge[kBlockSize];
};
Scratch& scratch() {
  thread_local auto s = std::make_unique<Scratch>();
  return *s;
}

// The plaintext of block `index` as it is now (zeros past the end of file or in a hole).
void load_plain(const FileState& state, BlockCipher& cipher, uint64_t index, uint8_t* plain, uint8_t* block)
    PFS_REQUIRES_SHARED(state.lock) {
  if (index * kCapacity >= state.size) {
    std::memset(plain, 0, kCapacity);
    return;
  }
  detail::read_blocks(state, index, 1, block);
  detail::open_block(state, cipher, index, block, plain);
}

// Seals block `index` holding `plain` as it will stand in a file of `new_size` bytes.
void seal(const FileState& state, BlockCipher& cipher, uint64_t index, uint64_t new_size, const uint8_t* plain,
          const uint8_t* nonce, uint8_t* out) {
  const uint64_t last = (new_size - 1) / kCapacity;
  const auto length = static_cast<uint32_t>(index == last ? new_size - index * kCapacity : kCapacity);
  cipher.seal(state.id, index, length, plain, nonce, out);
}

// After a failed write (a full disk): whole blocks it wrote past the end would make a reopen (recover_size) find
// the file longer than any write that returned; drop them, which also gives their space back. Shrinking cannot
// fail for lack of space; any other failure leaves what recover_size handles anyway.
void drop_unfinished_end(const FileState& state) PFS_REQUIRES_SHARED(state.lock) {
  const uint64_t blocks = (state.size + kCapacity - 1) / kCapacity;
  struct stat st {};
  if (::fstat(state.fd.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) > block_offset(blocks))
    (void)::ftruncate(state.fd.get(), static_cast<off_t>(block_offset(blocks)));
}

void forget_reservation(FileState& state) PFS_REQUIRES(state.lock) { state.reserved_from = state.reserved_to = 0; }

void check_range(const FileState& state, uint64_t offset, uint64_t length) {
  if (offset > kMaxSize || length > kMaxSize - offset)
    throw Error(EFBIG, state.name() + " would exceed the staging size limit");
}

}  // namespace

uint64_t StagedFile::max_size() { return kMaxSize; }

uint64_t StagedFile::id() const { return state_->id; }

uint64_t StagedFile::size() const {
  ReaderLock lock(state_->lock);
  return state_->size;
}

std::size_t StagedFile::read(uint64_t offset, std::span<uint8_t> out) const {
  FileState& state = *state_;
  if (out.empty()) return 0;
  uint64_t end = offset + out.size();
  Scratch& s = scratch();
  BlockCipher cipher(state.algorithm, state.key);
  // The lock is held per run and only while its blocks are read, not while they are decrypted: a writer (the copy
  // going on while a stream reads behind it, issue 12) waits for one pread, not for a whole read and its decryption
  // (a reader that is itself preempted held the writer up to a time slice). Each run is a consistent snapshot of
  // its blocks; like a read on a local file system, a read is not atomic against a concurrent write.
  uint64_t done = offset;
  for (uint64_t run = offset / kCapacity; run * kCapacity < end; run += kRunBlocks) {
    uint64_t run_end;
    {
      ReaderLock lock(state.lock);
      end = std::min(end, state.size);  // a file truncated meanwhile: stops at its new end
      if (run * kCapacity >= end || done >= end) break;
      run_end = std::min<uint64_t>(run + kRunBlocks, (end - 1) / kCapacity + 1);
      detail::read_blocks(state, run, static_cast<std::size_t>(run_end - run), s.blocks);
    }
    for (uint64_t b = run; b < run_end; ++b) {
      const uint64_t start = b * kCapacity;
      const uint64_t lo = std::max(offset, start), hi = std::min(end, start + kCapacity);
      uint8_t* dest = out.data() + (lo - offset);
      const uint8_t* block = s.blocks + (b - run) * kBlockSize;
      if (hi - lo == kCapacity) {
        detail::open_block(state, cipher, b, block, dest);
      } else {
        detail::open_block(state, cipher, b, block, s.plain);
        std::memcpy(dest, s.plain + (lo - start), hi - lo);
      }
      done = hi;
    }
  }
  wipe(s.plain);
  return static_cast<std::size_t>(done - offset);
}

namespace {

// Seals the blocks holding [offset, offset + data.size()) as they stand in a file of `new_size` bytes, and writes
// them now, or, given `behind` (where the span's first block goes in a write-behind buffer), leaves them there. The
// size is the caller's to update. Runs on the writer's thread or on the write helper, with the writer holding the
// file's lock exclusively for both.
void write_span(const FileState& state, uint64_t offset, ByteView data, uint64_t new_size, uint8_t* behind)
    PFS_REQUIRES(state.lock) {
  const uint64_t end = offset + data.size();
  const uint64_t first = offset / kCapacity;
  Scratch& s = scratch();
  BlockCipher cipher(state.algorithm, state.key);
  const std::size_t nonce_size = state.algorithm == Algorithm::Aes256Gcm ? 12 : kNonceSize;
  for (uint64_t run = first; run * kCapacity < end; run += kRunBlocks) {
    const uint64_t run_end = std::min<uint64_t>(run + kRunBlocks, (end - 1) / kCapacity + 1);
    const auto count = static_cast<std::size_t>(run_end - run);
    uint8_t* sealed = behind ? behind + (run - first) * kBlockSize : s.blocks;
    random_fill({s.nonces, count * nonce_size});  // one system call for the whole run
    for (uint64_t b = run; b < run_end; ++b) {
      const uint64_t start = b * kCapacity;
      const uint64_t lo = std::max(offset, start), hi = std::min(end, start + kCapacity);
      const uint8_t* plain = data.data() + (lo - offset);
      if (hi - lo != kCapacity) {  // partial block: read-modify-write
        load_plain(state, cipher, b, s.plain, s.edge);
        std::memcpy(s.plain + (lo - start), plain, hi - lo);
        plain = s.plain;
      }
      seal(state, cipher, b, new_size, plain, s.nonces + (b - run) * nonce_size, sealed + (b - run) * kBlockSize);
    }
    if (!behind) detail::write_blocks(state, run, {sealed, count * kBlockSize});
  }
  wipe(s.plain);
}

// Makes sure the space of bytes [from, to) of the file on disk is allocated, and of kReserveAhead more when the disk
// has the room (a copy's next writes then need no call), so that a write behind lands where room was already found:
// a full disk fails the write() that asks for it, not the background write after it returned. Only the write's own
// range: the gap a write far past the end leaves stays a hole. False where the file system cannot allocate ahead
// (the write is then done before it returns).
constexpr uint64_t kReserveAhead = 16 << 20;
bool reserve(FileState& state, uint64_t from, uint64_t to) PFS_REQUIRES(state.lock) {
  if (state.reserved_from <= from && to <= state.reserved_to) return true;
  for (const uint64_t end : {to + kReserveAhead, to}) {
    if (::fallocate(state.fd.get(), 0, static_cast<off_t>(from), static_cast<off_t>(end - from)) == 0) {
      state.reserved_from = from;
      state.reserved_to = end;
      return true;
    }
    if (errno == EOPNOTSUPP || errno == ENOSYS) return false;
    if (errno != ENOSPC) break;  // (EFBIG: past the process's file size limit; the rest as they come)
  }
  forget_reservation(state);  // a failed allocation may have taken part of the range: the caller trims the end
  throw_system_error("cannot allocate room for " + state.name());
}

constexpr std::size_t kSplitWrite = 512 << 10;  // a write this large is split with the helper

}  // namespace

void StagedFile::write(uint64_t offset, ByteView data) {
  FileState& state = *state_;
  check_range(state, offset, data.size());
  if (data.empty()) return;
  WriterLock lock(state.lock);
  detail::throw_if_lost(state);
  const uint64_t end = offset + data.size();
  const uint64_t new_size = std::max(state.size, end);
  const uint64_t first = offset / kCapacity;
  const uint64_t count = (end - 1) / kCapacity + 1 - first;
  detail::WriteBehind& behind = detail::WriteBehind::instance();
  detail::WriteBehind::Buffer blocks;
  try {
    // A large write is written behind (write_behind.hpp), once its room on disk is allocated.
    if (data.size() >= kSplitWrite && count <= detail::WriteBehind::kRunBlocks &&
        reserve(state, block_offset(first), block_offset(first + count)))
      blocks = behind.take();
    uint8_t* const sealed = blocks.get();
    // The halves meet at a block boundary: no block is sealed by both.
    const uint64_t split = (offset + data.size() / 2) / kCapacity * kCapacity;
    const bool halves =
        data.size() >= kSplitWrite && split > offset && split < end &&
        detail::WriteHelper::instance().try_start([&state, data, offset, split, new_size, sealed, first] {
          state.lock.assert_held();  // by the writer, who waits for this job
          write_span(state, split, data.subspan(static_cast<std::size_t>(split - offset)), new_size,
                     sealed ? sealed + (split / kCapacity - first) * kBlockSize : nullptr);
        });
    if (!halves) {
      write_span(state, offset, data, new_size, sealed);
    } else {
      std::exception_ptr error;
      try {
        write_span(state, offset, data.first(static_cast<std::size_t>(split - offset)), new_size, sealed);
      } catch (...) {
        error = std::current_exception();
      }
      detail::WriteHelper::instance().wait();  // (its error, if any, is thrown here)
      if (error) std::rethrow_exception(error);
    }
    if (blocks) behind.submit(state_, first, static_cast<std::size_t>(count), std::move(blocks));
  } catch (const Error&) {
    if (blocks) behind.give_back(std::move(blocks));
    forget_reservation(state);  // drop_unfinished_end() cuts the room allocated ahead too
    // Nothing of a failed write counts: the size stays, blocks it wrote past the end go.
    Scratch& s = scratch();
    BlockCipher cipher(state.algorithm, state.key);
    drop_unfinished_end(state);
    // The old last block, if partial, may have been resealed for the longer file, claiming bytes of the failed
    // write: seal it back to the size the file has. Best effort (rewriting a block in place needs no space).
    if (state.size % kCapacity != 0) {
      try {
        const uint64_t last = (state.size - 1) / kCapacity;
        load_plain(state, cipher, last, s.plain, s.edge);
        std::memset(s.plain + (state.size - last * kCapacity), 0, kCapacity - (state.size - last * kCapacity));
        random_fill({s.nonces, kNonceSize});
        seal(state, cipher, last, state.size, s.plain, s.nonces, s.edge);
        detail::write_blocks(state, last, {s.edge, kBlockSize});
      } catch (const Error&) {
        // a torn block: recover_size handles it at the next open
      }
    }
    wipe(s.plain);
    throw;
  } catch (...) {
    if (blocks) behind.give_back(std::move(blocks));
    throw;
  }
  state.size = new_size;
}

void StagedFile::truncate(uint64_t new_size) {
  FileState& state = *state_;
  check_range(state, new_size, 0);
  WriterLock lock(state.lock);
  const uint64_t old_size = state.size;
  if (new_size == old_size) return;
  // A run written behind lands where the file may no longer reach: let them all land first.
  detail::WriteBehind::instance().drain(state);
  if (new_size == 0) state.late_error.store(0);  // what a late failure lost is dropped anyway: usable again
  detail::throw_if_lost(state);
  // Shrinking cuts the room allocated ahead with the blocks; growing leaves it, for settle() to give back.
  if (new_size < old_size) forget_reservation(state);
  const int fd = state.fd.get();
  if (new_size == 0) {
    if (::ftruncate(fd, static_cast<off_t>(kHeaderSize)) != 0) throw_system_error("cannot truncate " + state.name());
    state.size = 0;
    return;
  }
  Scratch& s = scratch();
  BlockCipher cipher(state.algorithm, state.key);
  const uint64_t last = (new_size - 1) / kCapacity;
  const std::size_t keep = static_cast<std::size_t>(new_size - last * kCapacity);
  if (new_size < old_size) {
    // Drop whole blocks first (the file stays valid: block `last` still holds its old contents), then rewrite the
    // new last block in one page-sized write, zero past the new end so a later extension reads zeros.
    if (::ftruncate(fd, static_cast<off_t>(block_offset(last + 1))) != 0)
      throw_system_error("cannot truncate " + state.name());
    state.size = std::min(old_size, (last + 1) * kCapacity);
    load_plain(state, cipher, last, s.plain, s.edge);
    std::memset(s.plain + keep, 0, kCapacity - keep);
  } else if (old_size > 0 && (old_size - 1) / kCapacity == last) {
    load_plain(state, cipher, last, s.plain, s.edge);  // growing within the last block: its padding is zeros
  } else {
    std::memset(s.plain, 0, kCapacity);  // a new last block; the blocks between are holes
  }
  random_fill({s.nonces, kNonceSize});
  seal(state, cipher, last, new_size, s.plain, s.nonces, s.edge);
  detail::write_blocks(state, last, {s.edge, kBlockSize});
  state.size = new_size;
  wipe(s.plain);
}

void detail::settle(FileState& state) {
  WriteBehind::instance().drain(state);
  WriterLock lock(state.lock);
  throw_if_lost(state);
  if (state.reserved_to == 0) return;
  // The room allocated ahead of writes behind goes back: the file's length on disk is again its blocks.
  forget_reservation(state);
  drop_unfinished_end(state);
}

void StagedFile::sync() {
  FileState& state = *state_;
  detail::settle(state);
  // fdatasync covers every write that has returned, from any handle (those written behind have landed).
  while (::fdatasync(state.fd.get()) != 0) {
    if (errno != EINTR) throw_system_error("cannot sync " + state.name());
  }
  if (!state.dir_synced.load()) {
    UniqueFd dir = open_file(state.dir, O_RDONLY | O_DIRECTORY);
    if (::fsync(dir.get()) != 0) throw_system_error("cannot sync staging directory " + state.dir.string());
    state.dir_synced.store(true);
  }
}

}  // namespace pfs::staging
