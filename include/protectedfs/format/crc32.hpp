// CRC-32 (ISO-HDLC, as in zip and gzip), incremental. ISA-L's folding implementation runs at ~20 GB/s, so the
// zip writer can checksum entries on the encryption thread without slowing the stream.
#pragma once
#include <cstdint>

#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

class Crc32 {
 public:
  void update(ByteView data);
  uint32_t value() const { return value_; }
  static uint32_t of(ByteView data) {
    Crc32 crc;
    crc.update(data);
    return crc.value();
  }

 private:
  uint32_t value_ = 0;
};

}  // namespace pfs::format
