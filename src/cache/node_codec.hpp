// NodeRecord <-> bytes, in a compact binary form written by hand: a put is on the file system's hot path (every
// metadata change), and the whole tree is decoded at mount. Names and xattrs are arbitrary bytes on Linux (invalid
// UTF-8 included), so strings are length-prefixed raw bytes, never text.
//
//   u8 format (4) | varint ino, parent | zigzag kind | varint mode, size | zigzag mtime_ns, ctime_ns |
//   varint uid, gid | bytes name | u8 has_type [bytes type] | varint n, n × (bytes name, bytes value) |
//   bytes data_info | bytes origin | zigzag atime_ns | bytes target | varint rdev
//                                                   (bytes = varint length + raw bytes; varint = LEB128)
//
// A new field means a new format number; the decoder refuses formats it does not know rather than guess.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "protectedfs/core/persistence.hpp"

namespace pfs::cache {

std::string encode_node(const core::NodeRecord& node);

// Throws pfs::Error(EIO, "cache record <what>: …") when the bytes are not a record of this format.
core::NodeRecord decode_node(std::string_view bytes, const std::string& what);

}  // namespace pfs::cache
