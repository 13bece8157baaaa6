#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>

#include "protectedfs/format/utf8.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

// An independent reference: decode textbook-style, then reject what is not a scalar value or not minimal.
bool reference_valid(ByteView b, bool allow_nul) {
  std::size_t i = 0;
  while (i < b.size()) {
    const uint8_t c = b[i];
    uint32_t cp;
    std::size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1fu;
      len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0fu;
      len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07u;
      len = 4;
    } else return false;
    if (i + len > b.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((b[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b[i + k] & 0x3fu);
    }
    const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp == 0 && !allow_nul) return false;
    i += len;
  }
  return true;
}

bool whole(std::string_view s, bool allow_nul = false) { return Utf8Validator::valid(as_bytes(s), allow_nul); }

// Feeds `s` split at every position into two chunks, and byte by byte; all must agree with the whole-buffer answer.
void check_splits(std::string_view s, bool expected) {
  INFO("input of " << s.size() << " bytes");
  CHECK(whole(s) == expected);
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    Utf8Validator v;
    v.feed(as_bytes(s.substr(0, cut)));
    v.feed(as_bytes(s.substr(cut)));
    CHECK(v.finish() == expected);
  }
  Utf8Validator bytewise;
  for (char c : s) bytewise.feed(as_bytes(std::string_view(&c, 1)));
  CHECK(bytewise.finish() == expected);
}

}  // namespace

TEST_CASE("UTF-8: well-formed boundaries are accepted", "[format]") {
  for (const char* ok : {"", "a", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
                         "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "hi\xe2\x82\xac", "caf\xc3\xa9"}) {
    INFO(ok);
    CHECK(whole(ok));
  }
}

TEST_CASE("UTF-8: overlongs, surrogates, out-of-range, stray and truncated bytes, NUL are refused", "[format]") {
  for (std::string_view bad : {std::string_view("\xc0\x80"),
                               std::string_view("\xc1\xbf"),  // overlong 2-byte
                               std::string_view("\xe0\x80\x80"),
                               std::string_view("\xe0\x9f\xbf"),  // overlong 3-byte
                               std::string_view("\xf0\x80\x80\x80"),
                               std::string_view("\xf0\x8f\xbf\xbf"),  // overlong 4-byte
                               std::string_view("\xed\xa0\x80"),
                               std::string_view("\xed\xbf\xbf"),  // surrogates
                               std::string_view("\xf4\x90\x80\x80"),
                               std::string_view("\xf5\x80\x80\x80"),  // > U+10FFFF
                               std::string_view("\xff"),
                               std::string_view("\xfe"),
                               std::string_view("\x80"),
                               std::string_view("\xbf"),
                               std::string_view("\xe2\x82"),
                               std::string_view("\xf0\x9f\x98"),
                               std::string_view("\xc3"),  // truncated
                               std::string_view("\xe2\x28\xa1"),
                               std::string_view("\xc3\xc3"),  // bad continuation
                               std::string_view("a\0b", 3),
                               std::string_view("\0", 1)}) {
    INFO(bad.size() << " bytes");
    CHECK_FALSE(whole(bad));
  }
  CHECK(whole(std::string_view("a\0b", 3), /*allow_nul=*/true));
}

TEST_CASE("UTF-8: sequences split across chunks anywhere, in and out of the fast path", "[format]") {
  const std::string ascii(70, 'x');
  for (std::string_view piece : {std::string_view("\xc3\xa9"), std::string_view("\xe2\x82\xac"),
                                 std::string_view("\xf0\x9f\x98\x80"), std::string_view("\xf4\x8f\xbf\xbf")}) {
    check_splits(ascii + std::string(piece) + ascii, true);
    check_splits(std::string(piece) + ascii + std::string(piece), true);
    // Truncated piece, then ASCII: the sequence is cut.
    check_splits(ascii + std::string(piece.substr(0, piece.size() - 1)) + ascii, false);
    // Truncated at the very end: ok() until finish().
    Utf8Validator v;
    v.feed(as_bytes(ascii + std::string(piece.substr(0, piece.size() - 1))));
    CHECK(v.ok());
    CHECK_FALSE(v.finish());
  }
  check_splits(ascii + std::string("\xed\xa0\x80") + ascii, false);
  check_splits(ascii + std::string("\xe0\x80\x80") + ascii, false);
}

TEST_CASE("UTF-8: NUL is found at every position of the word-at-a-time path", "[format]") {
  for (std::size_t pos = 0; pos < 100; ++pos) {
    std::string s(100, 'a');
    s[pos] = '\0';
    INFO("NUL at " << pos);
    Utf8Validator v;
    v.feed(as_bytes(s));
    CHECK_FALSE(v.ok());
    CHECK(v.error_offset() == pos);
    CHECK(whole(s, /*allow_nul=*/true));
  }
  // Bytes 0x01 and 0x7f next to where a NUL test could be fooled by borrows.
  CHECK(whole(std::string(64, '\x01')));
  CHECK(whole(std::string(64, '\x7f')));
  std::string mixed;
  for (int i = 0; i < 64; ++i) mixed += static_cast<char>(i % 2 ? 0x01 : 0x7f);
  CHECK(whole(mixed));
}

TEST_CASE("UTF-8: error_offset counts from the start of the whole input", "[format]") {
  Utf8Validator v;
  v.feed(as_bytes(std::string(100, 'a')));
  v.feed(
      as_bytes("ab\xff"
               "cd"));
  CHECK_FALSE(v.ok());
  CHECK(v.error_offset() == 102);
  CHECK_FALSE(v.feed(as_bytes("more")));  // stays failed
  CHECK(v.error_offset() == 102);
}

TEST_CASE("UTF-8: agrees with a reference decoder on every 1- and 2-byte input and every 3-byte non-ASCII lead",
          "[format]") {
  std::size_t disagreements = 0;
  uint8_t b[4];
  for (int a = 0; a < 256; ++a) {
    b[0] = static_cast<uint8_t>(a);
    if (Utf8Validator::valid(ByteView(b, 1)) != reference_valid(ByteView(b, 1), false)) ++disagreements;
    for (int c = 0; c < 256; ++c) {
      b[1] = static_cast<uint8_t>(c);
      if (Utf8Validator::valid(ByteView(b, 2)) != reference_valid(ByteView(b, 2), false)) ++disagreements;
      if (a < 0xc0) continue;
      for (int d = 0; d < 256; ++d) {
        b[2] = static_cast<uint8_t>(d);
        if (Utf8Validator::valid(ByteView(b, 3)) != reference_valid(ByteView(b, 3), false)) ++disagreements;
      }
    }
  }
  // 4-byte leads with every first continuation, and a few last bytes.
  for (int a = 0xf0; a < 0x100; ++a)
    for (int c = 0; c < 256; ++c)
      for (int e : {0x00, 0x7f, 0x80, 0xbf, 0xc0}) {
        const uint8_t q[4] = {static_cast<uint8_t>(a), static_cast<uint8_t>(c), 0x80, static_cast<uint8_t>(e)};
        if (Utf8Validator::valid(ByteView(q, 4)) != reference_valid(ByteView(q, 4), false)) ++disagreements;
      }
  CHECK(disagreements == 0);
}

TEST_CASE("utf8_sequence_length", "[format]") {
  CHECK(utf8_sequence_length(as_bytes("a")) == 1);
  CHECK(utf8_sequence_length(as_bytes(std::string_view("\0", 1))) == 1);
  CHECK(utf8_sequence_length(as_bytes("\xc3\xa9x")) == 2);
  CHECK(utf8_sequence_length(as_bytes("\xe2\x82\xac")) == 3);
  CHECK(utf8_sequence_length(as_bytes("\xf0\x9f\x98\x80")) == 4);
  CHECK(utf8_sequence_length(as_bytes("")) == 0);
  CHECK(utf8_sequence_length(as_bytes("\x80")) == 0);
  CHECK(utf8_sequence_length(as_bytes("\xe2\x82")) == 0);
  CHECK(utf8_sequence_length(as_bytes("\xed\xa0\x80")) == 0);
  CHECK(utf8_sequence_length(as_bytes("\xc0\xaf")) == 0);
}

#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
TEST_CASE("UTF-8: ASCII scans faster than 1 GB/s (optimized builds)", "[format]") {
  const std::string text(32 << 20, 'a');
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    Utf8Validator v;
    for (std::size_t at = 0; at < text.size(); at += 1 << 20)
      v.feed(as_bytes(std::string_view(text).substr(at, 1 << 20)));
    REQUIRE(v.finish());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(text.size()) / seconds);
  }
  INFO("best " << best / 1e9 << " GB/s");
  CHECK(best > 1e9);
}
#endif
