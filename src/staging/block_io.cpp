#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "file_state.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::staging::detail {

using namespace format;

FileState::~FileState() { wipe(key); }

void read_blocks(const FileState& state, uint64_t first, std::size_t count, uint8_t* out) {
  pread_full(state.fd.get(), {out, count * kBlockSize}, block_offset(first), state.name());
}

void write_blocks(const FileState& state, uint64_t first, std::span<const uint8_t> blocks) {
  uint64_t offset = block_offset(first);
  while (!blocks.empty()) {
    ssize_t n = ::pwrite(state.fd.get(), blocks.data(), blocks.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
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
