// Reader of iExec protected-data zips through the central directory, over any random-access source (a plain file,
// or the decrypting view of an encrypted one). Input is untrusted: every offset and length is checked, names must
// be relative paths of field keys (no "..", no absolute paths), only STORE entries are accepted, and each entry's
// CRC-32 is verified as it is read. Malformed input raises Error(EBADMSG) naming the problem.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::format {

struct ZipEntry {
  std::string name;  // "a/b" for a leaf, "a/" for a directory
  bool directory = false;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint64_t local_offset = 0;
  bool deflated = false;         // method 8 (only where the reader accepts it)
  uint64_t compressed_size = 0;  // the bytes stored (= size for a stored entry)
};

// Protected data are stored uncompressed (iExec's format), and their fields are read at any offset; results from an
// iExec worker are deflated, and read whole.
enum class ZipCompression { StoredOnly, StoredOrDeflated };

class ZipReader {
 public:
  // ENOTSUP for an entry compressed other than `accepted` allows, or encrypted.
  explicit ZipReader(const RandomAccessSource& source, ZipCompression accepted = ZipCompression::StoredOnly);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;

  // Streams the entry's bytes in pieces of at most `piece` bytes, then checks the CRC-32.
  void read(const ZipEntry& entry, const std::function<void(ByteView)>& consume, std::size_t piece = 1 << 20) const;
  Bytes read_all(const ZipEntry& entry) const;  // for small entries
  // Bytes of one entry at [offset, offset + out.size()), without CRC check (random access for file reads; ENOTSUP for
  // a deflated entry).
  void read_range(const ZipEntry& entry, uint64_t offset, std::span<uint8_t> out) const;

 private:
  uint64_t data_offset(const ZipEntry& entry) const;

  const RandomAccessSource& source_;
  std::vector<ZipEntry> entries_;
  std::vector<std::size_t> by_name_;  // entries_ indices sorted by name: find() is a binary search
};

}  // namespace pfs::format
