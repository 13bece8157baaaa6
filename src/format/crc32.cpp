#include "protectedfs/format/crc32.hpp"

#include <isa-l/crc.h>

#include <limits>

namespace pfs::format {

void Crc32::update(ByteView data) {
  // crc32_gzip_refl takes a 64-bit length, but feed it in bounded slices to keep the contract obvious.
  while (!data.empty()) {
    const std::size_t n = std::min<std::size_t>(data.size(), std::numeric_limits<uint32_t>::max());
    value_ = crc32_gzip_refl(value_, const_cast<unsigned char*>(data.data()), n);
    data = data.subspan(n);
  }
}

}  // namespace pfs::format
