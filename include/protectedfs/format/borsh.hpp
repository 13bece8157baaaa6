// Leaf values of a protected data (PROTOCOL.md §1.3, vectors/borsh.json), in two forms:
//  * borsh bytes, as stored in the zip entry of a scalar field: bool 1 byte 00/01; f64 8-byte little-endian IEEE-754,
//    finite only (the SDK refuses NaN and infinities); i128 16-byte little-endian two's complement; string u32
//    little-endian byte length then the UTF-8 bytes. Decoding refuses a wrong length or an invalid value (EINVAL).
//  * text, as a file holds it on the mount or after unpack (SPEC.md §3, `user.protected.type`): "true"/"false"/"1"/"0",
//    a finite decimal, a decimal 128-bit integer. Parsers tolerate surrounding ASCII whitespace (so one trailing
//    newline too) and nothing else; their errors say what was expected and quote (a bounded prefix of) what was found.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "protectedfs/format/field_type.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

// GCC/Clang's 128-bit integer (__extension__ keeps -Wpedantic quiet about it).
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

// ---- borsh bytes ----

Bytes encode_bool(bool value);
Bytes encode_f64(double value);  // EINVAL for NaN and ±infinity
Bytes encode_i128(i128 value);
// EINVAL when not valid UTF-8 (U+0000 is allowed: a borsh string may hold it) or longer than 4 GiB - 1 bytes.
Bytes encode_string(std::string_view utf8);
// The 4-byte header of a string of `length` bytes, for values streamed from a file (EINVAL past 4 GiB - 1).
std::array<uint8_t, 4> encode_string_length(uint64_t length);

bool decode_bool(ByteView borsh);           // exactly 1 byte, 00 or 01
double decode_f64(ByteView borsh);          // exactly 8 bytes, finite
i128 decode_i128(ByteView borsh);           // exactly 16 bytes
std::string decode_string(ByteView borsh);  // 4-byte length that matches the rest exactly, valid UTF-8
// For a streamed string entry of `entry_size` bytes whose first 4 bytes are `header`: the value's length, checked
// against the entry size (EINVAL on mismatch). The caller validates the UTF-8 as it streams.
uint64_t decode_string_length(ByteView header, uint64_t entry_size);

// ---- text forms ----

bool parse_bool(std::string_view text);  // true, false, 1, 0 (case-sensitive)
// A finite decimal: optional sign, digits with an optional fraction, optional exponent ("-1.5", ".5", "2e10").
// Refuses nan, inf, hex floats, thousands separators, trailing garbage, empty text; EINVAL "out of f64 range" when the
// magnitude overflows. A magnitude too small for a double rounds to (signed) zero, like JavaScript's Number().
double parse_f64(std::string_view text);
// A decimal integer with an optional sign ("+" or "-"), full range -2^127 .. 2^127-1; EINVAL "out of i128 range".
i128 parse_i128(std::string_view text);

std::string to_text(bool value);    // "true" / "false"
std::string to_text(double value);  // shortest form that parses back to the same double (std::to_chars)
std::string to_text(i128 value);    // decimal, "-" for negatives

// ---- between the two, for a scalar field's content ----

// A file's text content → the borsh bytes of `type` (bool, f64, i128 or string; for string, one trailing "\n" is
// dropped and the rest must be valid UTF-8). EINVAL with the parser's message when the text is not such a value, or
// for a binary type.
Bytes scalar_from_text(FieldType type, std::string_view text);
// Borsh bytes of `type` → the text a file shows (no trailing newline added).
std::string scalar_to_text(FieldType type, ByteView borsh);

}  // namespace pfs::format
