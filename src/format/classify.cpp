#include "protectedfs/format/classify.hpp"

#include <algorithm>

namespace pfs::format {

bool is_weak_signature(FieldType detected) { return detected == FieldType::VideoMpeg || detected == FieldType::Bmp; }

FieldType classify(const ContentFacts& facts) {
  if (facts.detected != FieldType::OctetStream && !(is_weak_signature(facts.detected) && facts.utf8_without_nul))
    return facts.detected;
  if (facts.utf8_without_nul && string_value_length(facts.size, facts.ends_with_newline) <= kMaxStringValueBytes)
    return FieldType::String;
  return FieldType::OctetStream;
}

void ContentClassifier::feed(ByteView chunk) {
  if (chunk.empty()) return;
  const std::size_t take = std::min(chunk.size(), kMimeDetectBytes - head_len_);
  std::copy_n(chunk.data(), take, head_ + head_len_);
  head_len_ += take;
  utf8_.feed(chunk);
  size_ += chunk.size();
  ends_with_newline_ = chunk.back() == '\n';
}

ContentFacts ContentClassifier::facts() const {
  return {detect_mime(ByteView(head_, head_len_)), utf8_.finish(), size_, ends_with_newline_};
}

FieldType classify_content(ByteView content) {
  ContentClassifier c;
  c.feed(content);
  return c.result();
}

}  // namespace pfs::format
