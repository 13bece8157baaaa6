#include "protectedfs/format/utf8.hpp"

#include <cstring>

namespace pfs::format {

namespace {

// Lead byte → (continuation count, bounds of the FIRST continuation byte), Unicode Table 3-7. The narrowed bounds
// after E0/ED/F0/F4 are what exclude overlongs, surrogates and code points past U+10FFFF.
struct Lead {
  uint8_t count;  // 0xff: not a valid lead byte
  uint8_t lo;
  uint8_t hi;
};

constexpr Lead lead_of(uint8_t b) {
  if (b < 0x80) return {0, 0, 0};
  if (b < 0xc2) return {0xff, 0, 0};  // continuation byte, or C0/C1 (always overlong)
  if (b < 0xe0) return {1, 0x80, 0xbf};
  if (b == 0xe0) return {2, 0xa0, 0xbf};  // no overlong 3-byte forms
  if (b == 0xed) return {2, 0x80, 0x9f};  // no surrogates
  if (b < 0xf0) return {2, 0x80, 0xbf};
  if (b == 0xf0) return {3, 0x90, 0xbf};  // no overlong 4-byte forms
  if (b < 0xf4) return {3, 0x80, 0xbf};
  if (b == 0xf4) return {3, 0x80, 0x8f};  // nothing above U+10FFFF
  return {0xff, 0, 0};                    // F5..FF
}

constexpr uint64_t kHigh = 0x8080808080808080ull;
constexpr uint64_t kOnes = 0x0101010101010101ull;

// Non-zero iff one of the 8 bytes is >= 0x80, or (when NUL is refused) is 0x00. The zero-byte test is the classic
// (w - 0x01..) & ~w & 0x80..: exact on the word as a whole (it may flag a byte above a real zero, never misses one).
inline uint64_t not_plain_ascii(uint64_t w, bool allow_nul) {
  uint64_t bad = w & kHigh;
  if (!allow_nul) bad |= (w - kOnes) & ~w & kHigh;
  return bad;
}

}  // namespace

bool Utf8Validator::feed(ByteView chunk) {
  if (failed_) return false;
  const uint8_t* p = chunk.data();
  const std::size_t n = chunk.size();
  std::size_t i = 0;
  while (i < n) {
    if (pending_ == 0) {
      // Fast path: 32 bytes at a time while everything is ASCII without NUL (memcpy: unaligned, no aliasing issue;
      // compilers turn it into plain loads). This is what makes whole-file scans run at memory speed.
      while (i + 32 <= n) {
        uint64_t w[4];
        std::memcpy(w, p + i, sizeof w);
        if (not_plain_ascii(w[0], allow_nul_) | not_plain_ascii(w[1], allow_nul_) | not_plain_ascii(w[2], allow_nul_) |
            not_plain_ascii(w[3], allow_nul_))
          break;
        i += 32;
      }
      if (i >= n) break;
      const uint8_t b = p[i];
      if (b < 0x80) {
        if (b == 0 && !allow_nul_) break;  // failure, reported below
        ++i;
        continue;
      }
      const Lead lead = lead_of(b);
      if (lead.count == 0xff) break;
      pending_ = lead.count;
      lo_ = lead.lo;
      hi_ = lead.hi;
      ++i;
    } else {
      const uint8_t b = p[i];
      if (b < lo_ || b > hi_) break;
      --pending_;
      lo_ = 0x80;  // only the first continuation byte has narrowed bounds
      hi_ = 0xbf;
      ++i;
    }
  }
  if (i < n) {
    failed_ = true;
    error_offset_ = consumed_ + i;
  }
  consumed_ += n;
  return !failed_;
}

std::size_t utf8_sequence_length(ByteView bytes) {
  if (bytes.empty()) return 0;
  const Lead lead = lead_of(bytes[0]);
  if (lead.count == 0xff) return 0;
  if (bytes.size() < 1u + lead.count) return 0;
  if (lead.count > 0 && (bytes[1] < lead.lo || bytes[1] > lead.hi)) return 0;
  for (std::size_t k = 2; k <= lead.count; ++k)
    if (bytes[k] < 0x80 || bytes[k] > 0xbf) return 0;
  return 1u + lead.count;
}

}  // namespace pfs::format
