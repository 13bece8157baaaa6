// Small helpers shared by the crypto sources (private: not part of the public headers).
#pragma once
#include <string>
#include <string_view>

namespace pfs::crypto::detail {

// Quotes untrusted, non-secret text for an error message; long text is cut so that a megabyte of garbage does not
// become a megabyte of log line, and control characters are shown as '?'.
inline std::string quoted(std::string_view text, std::size_t limit = 80) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (text.size() > limit) out += "...";
  return out + "'";
}

}  // namespace pfs::crypto::detail
