// The zip reader over untrusted bytes: the central directory, every entry's name, offsets and CRC-32, once as
// protected data are read (stored entries only) and once as result zips are (deflated entries inflated).
#include "protectedfs/format/zip_reader.hpp"
#include "fuzz.hpp"

namespace {

void read_every_entry(const pfs::RandomAccessSource& source, pfs::format::ZipCompression accepted) {
  pfs::fuzz::refusal_allowed([&] {
    const pfs::format::ZipReader reader(source, accepted);
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const pfs::MemorySource source(pfs::Bytes(data, data + size));
  read_every_entry(source, pfs::format::ZipCompression::StoredOnly);
  read_every_entry(source, pfs::format::ZipCompression::StoredOrDeflated);
  return 0;
}
