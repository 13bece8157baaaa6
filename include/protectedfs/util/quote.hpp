// User text (file names, attribute values, zip entry names, whatever came from a file or the network) inside a log
// line or an error message. Error messages become one log line and one shell message, so the echo is escaped
// (control bytes, quotes, backslashes and non-ASCII bytes as \xNN: it can neither break the line, forge another one,
// nor inject terminal codes) and bounded (the input may be a whole file or an on-chain string). One place for this:
// every message that shows user text goes through quote().
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace pfs {

inline constexpr std::size_t kMaxQuotedBytes = 255;  // a whole file name (NAME_MAX)

// "\"abc\"", "\"a\\x0ab\"" for "a\nb", or "\"first max_bytes bytes\"..." when longer.
std::string quote(std::string_view text, std::size_t max_bytes = kMaxQuotedBytes);

// Only the bytes that could break a log line or drive a terminal (below 0x20, 0x7f) as \xNN; the rest unchanged.
// The daemon's log applies it to every line, after quote() did its work on the user text inside.
std::string escape_controls(std::string_view text);

}  // namespace pfs
