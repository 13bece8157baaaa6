#include "zip_inflate.hpp"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <memory>

#include "format/quote.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

void inflate_entry(const RandomAccessSource& source, uint64_t data_offset, const ZipEntry& entry, std::size_t piece,
                   const std::function<void(ByteView)>& consume) {
  auto corrupt = [&](const std::string& why) {
    throw Error(EBADMSG, "corrupt zip: deflated entry " + detail::quoted(entry.name) + " " + why);
  };
  constexpr std::size_t kInput = 64 * 1024;
  auto state = std::make_unique<inflate_state>();  // ~40 KiB of tables: not on the stack
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_DEFLATE;  // raw deflate, as zip stores it
  Bytes input(static_cast<std::size_t>(std::min<uint64_t>(std::max<uint64_t>(entry.compressed_size, 1), kInput)));
  // The declared size bounds the buffer, never trusted beyond it: more output than declared is corrupt.
  Bytes output(std::clamp<std::size_t>(static_cast<std::size_t>(std::min<uint64_t>(entry.size, piece)), 4096, piece));
  uint64_t at = data_offset, input_left = entry.compressed_size, produced = 0;
  for (;;) {
    if (state->avail_in == 0 && input_left > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(input_left, input.size()));
      source.read_at(at, std::span(input.data(), n));
      at += n;
      input_left -= n;
      state->next_in = input.data();
      state->avail_in = static_cast<uint32_t>(n);
    }
    state->next_out = output.data();
    state->avail_out = static_cast<uint32_t>(output.size());
    if (isal_inflate(state.get()) < 0) corrupt("holds invalid deflate data");
    const std::size_t made = output.size() - state->avail_out;
    if (made > entry.size - produced) corrupt("inflates past its declared size of " + std::to_string(entry.size));
    produced += made;
    if (made > 0) consume(ByteView(output.data(), made));
    if (state->block_state == ISAL_BLOCK_FINISH) break;
    if (made == 0 && state->avail_in == 0 && input_left == 0) corrupt("ends before its last block");
  }
  if (produced != entry.size)
    corrupt("inflates to " + std::to_string(produced) + " bytes, not " + std::to_string(entry.size));
}

}  // namespace pfs::format
