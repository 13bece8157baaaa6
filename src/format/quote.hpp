// Private helper of src/format: how bad input is echoed inside an error message. Error messages become one log line
// and a shell message, so the echo is bounded (the input may be a whole file or an on-chain string) and escaped
// (control bytes, quotes and non-ASCII bytes as \xNN) so it can neither break the line nor inject terminal codes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pfs::format::detail {

inline constexpr std::size_t kMaxEcho = 40;

// "\"abc\"", or "\"first 40 bytes\"..." when longer.
inline std::string quoted(std::string_view text, std::size_t max_bytes = kMaxEcho) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += '"';
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace pfs::format::detail
