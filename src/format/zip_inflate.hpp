// Inflating a deflated zip entry (method 8), streamed: what an iExec worker's result zip holds. Protected data are
// stored uncompressed and never come here.
#pragma once
#include <cstdint>
#include <functional>

#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

// Hands `consume` the entry's bytes in pieces of at most `piece`, exactly entry.size of them: deflate data that is
// invalid, ends early or inflates to another size is EBADMSG. The caller checks the CRC-32.
void inflate_entry(const RandomAccessSource& source, uint64_t data_offset, const ZipEntry& entry, std::size_t piece,
                   const std::function<void(ByteView)>& consume);

}  // namespace pfs::format
