#include "protectedfs/format/zip_reader.hpp"

#include <algorithm>

#include "format/quote.hpp"
#include "protectedfs/format/crc32.hpp"
#include "zip_inflate.hpp"
#include "zip_layout.hpp"

namespace pfs::format {

using namespace zip;

namespace {

[[noreturn]] void corrupt(const std::string& why) { throw Error(EBADMSG, "corrupt zip: " + why); }

Bytes read_bytes(const RandomAccessSource& source, uint64_t offset, std::size_t length) {
  if (offset > source.size() || length > source.size() - offset) corrupt("record extends past the end of the data");
  Bytes out(length);
  source.read_at(offset, out);
  return out;
}

// Not a corrupt file: a zip made to write outside the folder it is extracted in (or to names no file system has).
[[noreturn]] void unsafe(const std::string& name) {
  throw Error(EBADMSG, "unsafe zip entry name " + detail::quoted(name) +
                           " (an absolute path, a '.' or '..' component, an empty one, a backslash or a NUL): refused");
}

// A name is a '/'-separated path of non-empty components without "." or ".."; a directory ends with '/'.
void check_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
      name.find('\0') != std::string::npos)
    unsafe(name);
  std::size_t start = 0;
  const std::size_t end = name.back() == '/' ? name.size() - 1 : name.size();
  while (start <= end) {
    std::size_t slash = std::min(name.find('/', start), end);
    std::string_view part(name.data() + start, slash - start);
    if (part.empty() || part == "." || part == "..") unsafe(name);
    start = slash + 1;
  }
}

struct EndRecord {
  uint64_t count = 0;
  uint64_t directory_size = 0;
  uint64_t directory_offset = 0;
};

EndRecord find_end(const RandomAccessSource& source) {
  const uint64_t size = source.size();
  if (size < kEndSize) corrupt("too short to be a zip (" + std::to_string(size) + " bytes)");
  const std::size_t window = static_cast<std::size_t>(std::min<uint64_t>(size, kEndSize + kMax16));
  const uint64_t window_start = size - window;
  Bytes tail = read_bytes(source, window_start, window);
  for (std::size_t pos = window - kEndSize + 1; pos-- > 0;) {
    const uint8_t* p = tail.data() + pos;
    if (get32(p) != kEndOfCentralDirectory || pos + kEndSize + get16(p + 20) != window) continue;
    if (get16(p + 4) != 0 || get16(p + 6) != 0) corrupt("multi-disk archives are not supported");
    EndRecord end{get16(p + 10), get32(p + 12), get32(p + 16)};
    const uint64_t end_offset = window_start + pos;
    const bool needs_zip64 = end.count == kMax16 || end.directory_size == kMax32 || end.directory_offset == kMax32;
    if (end_offset >= kZip64LocatorSize) {
      Bytes locator = read_bytes(source, end_offset - kZip64LocatorSize, kZip64LocatorSize);
      if (get32(locator.data()) == kZip64Locator) {
        Bytes z = read_bytes(source, get64(locator.data() + 8), kZip64EndSize);
        if (get32(z.data()) != kZip64EndOfCentralDirectory) corrupt("bad ZIP64 end record");
        end = {get64(z.data() + 32), get64(z.data() + 40), get64(z.data() + 48)};
      } else if (needs_zip64) {
        corrupt("ZIP64 locator missing");
      }
    }
    return end;
  }
  corrupt("end of central directory not found");
}

}  // namespace

ZipReader::ZipReader(const RandomAccessSource& source, ZipCompression accepted) : source_(source) {
  const EndRecord end = find_end(source);
  if (end.directory_offset > source.size() || end.directory_size > source.size() - end.directory_offset)
    corrupt("central directory outside the data");
  // Each central record takes at least 46 bytes, so the count is bounded by the directory size.
  if (end.count > end.directory_size / kCentralHeaderSize) corrupt("entry count larger than the central directory");
  Bytes directory = read_bytes(source, end.directory_offset, static_cast<std::size_t>(end.directory_size));
  std::size_t pos = 0;
  entries_.reserve(static_cast<std::size_t>(end.count));
  for (uint64_t i = 0; i < end.count; ++i) {
    if (directory.size() - pos < kCentralHeaderSize) corrupt("truncated central directory");
    const uint8_t* h = directory.data() + pos;
    if (get32(h) != kCentralHeader) corrupt("bad central directory record");
    const uint16_t flags = get16(h + 8), method = get16(h + 10);
    const std::size_t name_len = get16(h + 28), extra_len = get16(h + 30), comment_len = get16(h + 32);
    if (directory.size() - pos - kCentralHeaderSize < name_len + extra_len + comment_len)
      corrupt("truncated central directory");
    ZipEntry e;
    e.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    check_name(e.name);
    if (flags & kFlagEncrypted) throw Error(ENOTSUP, "zip entry " + detail::quoted(e.name) + " uses zip encryption");
    e.deflated = method == kMethodDeflate && accepted == ZipCompression::StoredOrDeflated;
    if (method != 0 && !e.deflated)
      throw Error(ENOTSUP, "zip entry " + detail::quoted(e.name) + " is compressed (method " + std::to_string(method) +
                               "); iExec protected data are stored uncompressed");
    e.directory = e.name.back() == '/';
    e.crc = get32(h + 16);
    uint64_t compressed = get32(h + 20), size = get32(h + 24), offset = get32(h + 42);
    // ZIP64 extra: the 64-bit values of the fields that hold 0xffffffff, in this order.
    const uint8_t* extra = h + kCentralHeaderSize + name_len;
    for (std::size_t x = 0; x + 4 <= extra_len;) {
      const uint16_t tag = get16(extra + x), len = get16(extra + x + 2);
      if (x + 4 + len > extra_len) corrupt("bad extra field in " + detail::quoted(e.name));
      if (tag == kZip64ExtraTag) {
        const uint8_t* v = extra + x + 4;
        std::size_t left = len;
        auto take = [&](uint64_t& field) {
          if (field != kMax32) return;
          if (left < 8) corrupt("short ZIP64 field in " + detail::quoted(e.name));
          field = get64(v);
          v += 8;
          left -= 8;
        };
        take(size);
        take(compressed);
        take(offset);
      }
      x += 4 + len;
    }
    if (!e.deflated && compressed != size)
      corrupt("stored entry " + detail::quoted(e.name) + " has different compressed and real sizes");
    if (e.directory && size != 0) corrupt("directory entry " + detail::quoted(e.name) + " has data");
    e.size = size;
    e.compressed_size = compressed;
    e.local_offset = offset;
    entries_.push_back(std::move(e));
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
  }
  by_name_.resize(entries_.size());
  for (std::size_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  std::sort(by_name_.begin(), by_name_.end(),
            [&](std::size_t a, std::size_t b) { return entries_[a].name < entries_[b].name; });
  for (std::size_t i = 1; i < by_name_.size(); ++i)
    if (entries_[by_name_[i]].name == entries_[by_name_[i - 1]].name)
      corrupt("duplicate entry " + detail::quoted(entries_[by_name_[i]].name));
}

const ZipEntry* ZipReader::find(std::string_view name) const {
  const auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                                   [&](std::size_t e, std::string_view n) { return entries_[e].name < n; });
  if (it != by_name_.end() && entries_[*it].name == name) return &entries_[*it];
  return nullptr;
}

uint64_t ZipReader::data_offset(const ZipEntry& e) const {
  Bytes h = read_bytes(source_, e.local_offset, kLocalHeaderSize);
  if (get32(h.data()) != kLocalHeader) corrupt("bad local header for " + detail::quoted(e.name));
  const std::size_t name_len = get16(h.data() + 26), extra_len = get16(h.data() + 28);
  Bytes name = read_bytes(source_, e.local_offset + kLocalHeaderSize, name_len);
  if (as_chars(name) != e.name)
    corrupt("local header name differs from the central directory for " + detail::quoted(e.name));
  const uint64_t start = e.local_offset + kLocalHeaderSize + name_len + extra_len;
  if (start > source_.size() || e.compressed_size > source_.size() - start)
    corrupt("entry " + detail::quoted(e.name) + " extends past the end");
  return start;
}

void ZipReader::read(const ZipEntry& e, const std::function<void(ByteView)>& consume, std::size_t piece) const {
  if (e.deflated) {
    Crc32 crc;
    inflate_entry(source_, data_offset(e), e, piece, [&](ByteView chunk) {
      crc.update(chunk);
      consume(chunk);
    });
    if (crc.value() != e.crc) corrupt("CRC-32 mismatch in entry " + detail::quoted(e.name));
    return;
  }
  uint64_t at = data_offset(e);
  uint64_t left = e.size;
  Bytes buffer(static_cast<std::size_t>(std::min<uint64_t>(left, piece)));
  Crc32 crc;
  while (left > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(left, buffer.size()));
    std::span<uint8_t> chunk(buffer.data(), n);
    source_.read_at(at, chunk);
    crc.update(chunk);
    consume(chunk);
    at += n;
    left -= n;
  }
  if (crc.value() != e.crc) corrupt("CRC-32 mismatch in entry " + detail::quoted(e.name));
}

Bytes ZipReader::read_all(const ZipEntry& e) const {
  Bytes out;
  if (!e.deflated) out.reserve(static_cast<std::size_t>(e.size));  // a deflated size is checked as it inflates
  read(e, [&](ByteView chunk) { out.insert(out.end(), chunk.begin(), chunk.end()); });
  return out;
}

void ZipReader::read_range(const ZipEntry& e, uint64_t offset, std::span<uint8_t> out) const {
  if (offset > e.size || out.size() > e.size - offset)
    throw Error(EINVAL, "read past the end of " + detail::quoted(e.name));
  if (e.deflated) throw Error(ENOTSUP, "no random access into the deflated entry " + detail::quoted(e.name));
  source_.read_at(data_offset(e) + offset, out);
}

}  // namespace pfs::format
