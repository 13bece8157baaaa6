// The type a file's content gets when nobody says otherwise (SPEC.md §2, "Field types"):
//   1. the MIME type from its leading bytes (detect_mime), if that is not application/octet-stream;
//   2. otherwise `string` if the whole content is valid UTF-8 without NUL and the value fits a borsh string;
//   3. otherwise application/octet-stream.
// The string value is the content minus ONE trailing "\n" (editors and `echo` add it; "\r\n" keeps its "\r", a second
// "\n" stays). So an empty file and a file holding just "\n" are both the empty string.
// A borsh string has a u32 byte length: a value longer than 4 GiB - 1 bytes cannot be one and stays binary.
#pragma once
#include <cstdint>
#include <limits>

#include "protectedfs/format/field_type.hpp"
#include "protectedfs/format/mime_detect.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

inline constexpr uint64_t kMaxStringValueBytes = std::numeric_limits<uint32_t>::max();

// Byte length of a string field's value, given the content's size and whether its last byte is '\n'.
constexpr uint64_t string_value_length(uint64_t content_size, bool ends_with_newline) {
  return content_size - (ends_with_newline && content_size > 0 ? 1 : 0);
}

// What classification needs to know about a content, gathered in one pass.
struct ContentFacts {
  FieldType detected = FieldType::OctetStream;  // detect_mime of the leading bytes
  bool utf8_without_nul = false;                // Utf8Validator::finish() over the whole content
  uint64_t size = 0;
  bool ends_with_newline = false;
};

// Two signatures are one or two printable bytes that ordinary text often starts with: MPEG-TS's sync byte 'G'
// ("Good morning") and BMP's "BM" ("BMI 22.5"). Real files of those types always hold NUL bytes or invalid
// UTF-8, so on UTF-8 text without NUL these two are not trusted and the content is a string. Every other
// signature wins over text, as in the SDK (an XML file stays application/xml).
bool is_weak_signature(FieldType detected);

FieldType classify(const ContentFacts& facts);

// Streaming: feed the content in chunks of any size, then result(). Keeps only the leading kMimeDetectBytes bytes.
class ContentClassifier {
 public:
  void feed(ByteView chunk);
  // The facts of everything fed so far, and the type they give. Call after the last chunk.
  ContentFacts facts() const;
  FieldType result() const { return classify(facts()); }

 private:
  uint8_t head_[kMimeDetectBytes] = {};
  std::size_t head_len_ = 0;
  Utf8Validator utf8_;
  uint64_t size_ = 0;
  bool ends_with_newline_ = false;
};

// A whole content in memory.
FieldType classify_content(ByteView content);

}  // namespace pfs::format
