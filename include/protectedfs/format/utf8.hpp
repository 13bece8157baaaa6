// Incremental UTF-8 validation, so that "is this file text?" (SPEC.md §2: valid UTF-8 without NUL → string) is
// answered while the file streams through, in chunks of any size, without buffering it.
//
// Valid means well-formed per Unicode §3.9 (RFC 3629): no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF, no stray continuation bytes, no truncated sequence at the end. NUL (U+0000) is refused by default:
// a file holding NUL bytes is binary for protectedfs; borsh strings themselves may hold U+0000 (allow_nul).
#pragma once
#include <cstddef>
#include <cstdint>

#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

class Utf8Validator {
 public:
  explicit Utf8Validator(bool allow_nul = false) : allow_nul_(allow_nul) {}

  // Validates the next chunk. A sequence may be split across chunks. Once invalid, stays invalid (later chunks are
  // skipped, so feeding on after a failure costs nothing). Returns ok().
  bool feed(ByteView chunk);

  // No invalid byte so far (a sequence still open at the end of the last chunk is not yet an error).
  bool ok() const { return !failed_; }

  // The whole input was valid: ok() and no sequence left open. Call after the last chunk.
  bool finish() const { return !failed_ && pending_ == 0; }

  // Offset in the whole input of the byte found invalid (meaningful when !ok()).
  uint64_t error_offset() const { return error_offset_; }

  // Convenience for a whole buffer.
  static bool valid(ByteView bytes, bool allow_nul = false) {
    Utf8Validator v(allow_nul);
    v.feed(bytes);
    return v.finish();
  }

 private:
  bool allow_nul_;
  bool failed_ = false;
  uint8_t pending_ = 0;  // continuation bytes still expected by the open sequence
  uint8_t lo_ = 0x80;    // bounds of the next continuation byte (narrower right after E0, ED, F0, F4)
  uint8_t hi_ = 0xbf;
  uint64_t consumed_ = 0;  // bytes of earlier chunks
  uint64_t error_offset_ = 0;
};

// Length (1..4) of the well-formed UTF-8 sequence at the start of `bytes`, 0 if it does not start with one (empty,
// stray continuation, overlong, surrogate, out of range, truncated). NUL counts as a 1-byte sequence.
std::size_t utf8_sequence_length(ByteView bytes);

}  // namespace pfs::format
