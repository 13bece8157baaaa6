// The zip reader over untrusted bytes: the central directory, every entry's name, offsets and CRC-32.
#include "protectedfs/format/zip_reader.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  pfs::fuzz::refusal_allowed([&] {
    const pfs::MemorySource source(pfs::Bytes(data, data + size));
    const pfs::format::ZipReader reader(source);
    for (const auto& entry : reader.entries()) {
      if (entry.directory) continue;
      pfs::fuzz::refusal_allowed([&] {
        reader.read(
            entry, [](pfs::ByteView) {}, 4096);
      });
      pfs::fuzz::refusal_allowed([&] {
        uint8_t piece[7];
        if (entry.size >= sizeof piece) reader.read_range(entry, entry.size - sizeof piece, piece);
      });
      (void)reader.find(entry.name);
    }
  });
  return 0;
}
