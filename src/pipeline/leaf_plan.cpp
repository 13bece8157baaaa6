#include "protectedfs/pipeline/leaf_plan.hpp"

#include <optional>

#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/classify.hpp"
#include "protectedfs/format/crc32.hpp"
#include "protectedfs/format/mime_detect.hpp"
#include "protectedfs/format/utf8.hpp"

namespace pfs::pipeline {
namespace {

using format::FieldType;

constexpr std::size_t kScanPiece = 1 << 20;
constexpr std::size_t kMaxScalarText = 4096;  // the text of a bool, f64 or i128 is far shorter

std::unique_ptr<RandomAccessSource> open_unchanged(const LeafSource& source) {
  auto opened = source.open();
  if (opened->size() != source.size) throw Error(EBUSY, source.name + " changed while it was being read; try again");
  return opened;
}

// The leaf of a text field: borsh length, then the content without one trailing newline. One pass validates the
// UTF-8 and computes the CRC-32; nullopt (found at the first invalid byte) when the content is not text. `whole`,
// when given, is the whole content already read (a small one): then nothing is read again.
std::optional<ZipItem> text_leaf(const std::string& zip_path, const LeafSource& source,
                                 const RandomAccessSource& content, const Bytes* whole = nullptr) {
  const uint64_t size = source.size;
  uint8_t last = 0;
  if (size > 0) {
    if (whole) last = (*whole)[static_cast<std::size_t>(size - 1)];
    else content.read_at(size - 1, std::span(&last, 1));
  }
  const uint64_t value = format::string_value_length(size, last == '\n');
  if (value > format::kMaxStringValueBytes) return std::nullopt;
  ZipItem item{.path = zip_path, .content = source, .content_bytes = value};
  const auto prefix = format::encode_string_length(value);
  item.prefix.assign(prefix.begin(), prefix.end());
  format::Utf8Validator utf8;
  format::Crc32 crc;
  crc.update(item.prefix);
  const auto scan = [&](ByteView piece) {
    if (!utf8.feed(piece)) return false;
    crc.update(piece);
    return true;
  };
  if (whole) {
    if (!scan(ByteView(whole->data(), static_cast<std::size_t>(value)))) return std::nullopt;
  } else {
    Bytes buffer(static_cast<std::size_t>(std::min<uint64_t>(value, kScanPiece)));
    for (uint64_t done = 0; done < value;) {
      const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), value - done));
      content.read_at(done, std::span(buffer.data(), n));
      if (!scan(ByteView(buffer.data(), n))) return std::nullopt;
      done += n;
    }
  }
  if (!utf8.finish()) return std::nullopt;
  item.crc = crc.value();
  return item;
}

ZipItem whole_content(const std::string& zip_path, const LeafSource& source) {
  return ZipItem{.path = zip_path, .content = source, .content_bytes = source.size};
}

}  // namespace

PlannedLeaf plan_detected_leaf(const std::string& zip_path, const LeafSource& source) {
  const auto content = open_unchanged(source);
  // A content of one scan piece or less (most of a folder of small files) is read once, whole, for the type and the
  // text scan: it was opened and read three times (head, last byte, scan), each read decrypting its staged block.
  const bool small = source.size <= kScanPiece;
  Bytes read(static_cast<std::size_t>(small ? source.size : format::kMimeDetectBytes));
  if (!read.empty()) content->read_at(0, read);
  const FieldType detected = format::detect_mime(read);  // looks at the first kMimeDetectBytes only
  if (detected == FieldType::OctetStream || format::is_weak_signature(detected))
    if (auto text = text_leaf(zip_path, source, *content, small ? &read : nullptr))
      return {std::move(*text), FieldType::String};
  return {whole_content(zip_path, source), detected};
}

PlannedLeaf plan_typed_leaf(const std::string& zip_path, const LeafSource& source, FieldType type) {
  if (type == FieldType::Bool || type == FieldType::F64 || type == FieldType::I128) {
    const std::string type_name(format::to_string(type));
    if (source.size > kMaxScalarText)
      throw Error(EINVAL, source.name + ": too large to hold a " + type_name + " value");
    Bytes text(static_cast<std::size_t>(source.size));
    if (!text.empty()) open_unchanged(source)->read_at(0, text);
    ZipItem item{.path = zip_path};
    try {
      item.prefix = format::scalar_from_text(type, as_chars(text));
    } catch (const Error& e) {
      throw Error(EINVAL, source.name + ": " + e.what());
    }
    item.crc = format::Crc32::of(item.prefix);
    return {std::move(item), type};
  }
  if (type == FieldType::String) {
    if (auto text = text_leaf(zip_path, source, *open_unchanged(source))) return {std::move(*text), type};
    throw Error(EINVAL, source.name + ": not UTF-8 text without NUL (or over 4 GiB), so it cannot be a string");
  }
  return {whole_content(zip_path, source), type};
}

}  // namespace pfs::pipeline
