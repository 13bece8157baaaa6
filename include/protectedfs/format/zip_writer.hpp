// Streaming writer of the iExec protected-data zip (PROTOCOL.md §1.3): method STORE, one entry per leaf, a
// directory entry ("a/") for each nested object, entries written in the caller's order.
//
// Two ways to add a leaf:
//  - the CRC-32 is known before the data (in-memory leaves, or text already scanned): the headers are byte for
//    byte those of JSZip, as the SDK's createZipFromObject writes them (tests/vectors/zip.json);
//  - the CRC-32 is not known (a large binary file read once): flag bit 3, zeros in the local header, and a data
//    descriptor after the data, so the file is zipped in a single pass. Readers use the central directory.
//  - the size is not known either (a file zipped while it is still being written, publish/field_stream.hpp):
//    the same, with ZIP64 sizes (zeros) in the local header and an 8-byte data descriptor, since the entry may
//    end up past 4 GiB. protect() writes every unscanned leaf of kStreamedLeafBytes or more this way too, so a
//    leaf zipped while written and one zipped at publish time are the same bytes.
// Entries of 4 GiB or more, and archives past 4 GiB or 65535 entries, use ZIP64 records.
// Memory: the central directory (≈ 60 bytes + name per entry); data passes straight through to the sink.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/format/crc32.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(ByteView data) = 0;
};

// From this size on, a leaf whose CRC-32 is not known up front is written as a streamed entry (see above).
inline constexpr uint64_t kStreamedLeafBytes = 4ull << 20;

struct DosTime {
  uint16_t time = 0;
  uint16_t date = 0x21;  // 1980-01-01
  static DosTime now();  // local time, as JSZip stamps entries
  bool operator==(const DosTime&) const = default;
};

class ZipWriter {
 public:
  explicit ZipWriter(ByteSink& sink, DosTime stamp = DosTime::now());

  void add_directory(std::string_view path);  // path ends with '/'
  void add_file(std::string_view path, ByteView content);

  // Streams a leaf of exactly `size` bytes through write(); end_file() checks the count (and the CRC if given).
  void begin_file(std::string_view path, uint64_t size, std::optional<uint32_t> known_crc = std::nullopt);
  // Streams a leaf whose size is known only at end_file() (ZIP64 sizes, data descriptor).
  void begin_streamed_file(std::string_view path);
  void write(ByteView data);
  void end_file();

  // Writes the central directory and end records. The writer can't be used afterwards.
  void finish();
  uint64_t bytes_written() const { return offset_; }

 private:
  struct Entry {
    std::string name;
    uint16_t flags = 0;
    uint16_t version_needed = 10;
    uint32_t crc = 0;
    uint64_t size = 0;
    uint64_t local_offset = 0;
    bool directory = false;
    bool zip64 = false;
  };

  void emit(ByteView data);
  void write_local_header(const Entry& entry);
  // Writes the local header of `e` (its flags, sizes and version set) and opens it for write().
  void open_entry(std::string_view path, Entry e, std::optional<uint64_t> announced, std::optional<uint32_t> known_crc);
  void validate_name(std::string_view path, bool directory) const;

  ByteSink& sink_;
  DosTime stamp_;
  uint64_t offset_ = 0;
  std::vector<Entry> entries_;
  bool in_file_ = false;
  bool finished_ = false;
  std::optional<uint32_t> expected_crc_;
  std::optional<uint64_t> announced_;  // the open entry's size; none for a streamed one
  uint64_t written_ = 0;               // bytes of the open entry so far
  Crc32 crc_;
};

}  // namespace pfs::format
