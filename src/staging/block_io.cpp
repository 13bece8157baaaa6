#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "file_state.hpp"
#include "protectedfs/util/error.hpp"
#include "write_behind.hpp"

namespace pfs::staging::detail {

using namespace format;

FileState::~FileState() {
  wipe(key);
  if (const int direct = direct_fd.load(); direct >= 0) ::close(direct);
}

namespace {

// Runs of this many bytes or more go through the O_DIRECT descriptor: the staged copy of a large file bypasses the
// page cache. It is written once and read back once (by a stream or a publish), so the cache only cost a copy of
// every byte into fresh pages, and fresh pages are what a virtual machine's host makes slow when it has taken
// memory back (on the benchmark machine a page-cache copy fell to ~150 MB/s at times while direct writes stayed at
// 2 GB/s). Smaller runs (small files, the edges of a write) stay buffered.
constexpr std::size_t kDirectBytes = 64 << 10;

// The descriptor for a run of `bytes` at `data`: the direct one when the run is large and aligned, else the file's.
int descriptor_for(const FileState& state, const void* data, std::size_t bytes) {
  if (bytes < kDirectBytes || reinterpret_cast<uintptr_t>(data) % kBlockSize != 0) return state.fd.get();
  int fd = state.direct_fd.load(std::memory_order_acquire);
  if (fd == FileState::kUnopened) {
    const std::string self = "/proc/self/fd/" + std::to_string(state.fd.get());
    int opened = ::open(self.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
    if (opened < 0) opened = FileState::kNoDirect;  // tmpfs and the like: buffered it is
    fd = FileState::kUnopened;
    if (state.direct_fd.compare_exchange_strong(fd, opened, std::memory_order_acq_rel)) fd = opened;
    else if (opened >= 0) ::close(opened);  // another thread opened it first: `fd` holds its descriptor
  }
  return fd >= 0 ? fd : state.fd.get();
}

}  // namespace

void throw_if_lost(const FileState& state) {
  if (const int code = state.late_error.load(std::memory_order_acquire))
    throw Error(EIO, state.name() + ": a write that had returned failed on the disk later (" + std::strerror(code) +
                         "); the file's bytes are lost");
}

void read_blocks(const FileState& state, uint64_t first, std::size_t count, uint8_t* out) {
  throw_if_lost(state);
  // Taken before the read: a run that lands meanwhile is either in what the read finds or in this copy.
  WriteBehind::Pending queued;
  if (state.queued.load(std::memory_order_acquire) != 0) queued = WriteBehind::instance().pending(state, first, count);
  const std::span<uint8_t> bytes(out, count * kBlockSize);
  const int fd = descriptor_for(state, out, bytes.size());
  // A file system may take O_DIRECT at open and refuse an access it does not align as it wants: then buffered.
  if (fd == state.fd.get() || ::pread(fd, bytes.data(), bytes.size(), static_cast<off_t>(block_offset(first))) !=
                                  static_cast<ssize_t>(bytes.size()))
    pread_full(state.fd.get(), bytes, block_offset(first), state.name());
  queued.overlay(first, count, out);
}

void write_blocks(const FileState& state, uint64_t first, std::span<const uint8_t> blocks) {
  WriteBehind::instance().drain(state);
  throw_if_lost(state);
  write_blocks_now(state, first, blocks);
}

void write_blocks_now(const FileState& state, uint64_t first, std::span<const uint8_t> blocks) {
  uint64_t offset = block_offset(first);
  int fd = descriptor_for(state, blocks.data(), blocks.size());
  while (!blocks.empty()) {
    ssize_t n = ::pwrite(fd, blocks.data(), blocks.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && fd != state.fd.get()) {  // direct I/O refused for this access: buffered
        fd = state.fd.get();
        continue;
      }
      throw_system_error("cannot write " + state.name());
    }
    blocks = blocks.subspan(static_cast<std::size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
}

namespace {
bool all_zero(const uint8_t* p, std::size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}
}  // namespace

uint32_t open_block(const FileState& state, BlockCipher& cipher, uint64_t index, const uint8_t* block, uint8_t* plain) {
  uint32_t length = 0;
  if (cipher.open(state.id, index, block, plain, length)) return length;
  if (all_zero(block, kBlockSize)) return 0;  // a hole (open() zeroed plain)
  throw Error(EIO, state.name() + " block " + std::to_string(index) + " failed authentication");
}

uint64_t recover_size(FileState& state) {
  struct stat st {};
  if (::fstat(state.fd.get(), &st) != 0) throw_system_error("cannot stat " + state.name());
  const uint64_t length = static_cast<uint64_t>(st.st_size);
  uint64_t blocks = (length - kHeaderSize) / kBlockSize;
  uint8_t block[kBlockSize];
  while (blocks > 0) {
    read_blocks(state, blocks - 1, 1, block);
    if (!all_zero(block, kBlockSize)) break;
    --blocks;
  }
  if (block_offset(blocks) != length && ::ftruncate(state.fd.get(), static_cast<off_t>(block_offset(blocks))) != 0)
    throw_system_error("cannot trim the unfinished end of " + state.name());
  if (blocks == 0) return 0;
  BlockCipher cipher(state.algorithm, state.key);
  uint8_t plain[kCapacity];
  uint32_t last = 0;
  const bool ok = cipher.open(state.id, blocks - 1, block, plain, last);
  wipe(plain);
  return (blocks - 1) * kCapacity + (ok ? last : kCapacity);
}

}  // namespace pfs::staging::detail
