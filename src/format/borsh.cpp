// borsh encodings of the scalar leaves. Byte order is written out explicitly (not memcpy of host integers) so the
// format does not depend on the machine.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

namespace {

void require_size(ByteView borsh, std::size_t want, const char* type) {
  if (borsh.size() != want)
    throw Error(EINVAL, std::string("borsh ") + type + " must be " + std::to_string(want) + " byte" +
                            (want == 1 ? "" : "s") + ", found " + std::to_string(borsh.size()));
}

template <typename U>
void put_le(uint8_t* out, U value, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

template <typename U>
U get_le(const uint8_t* in, std::size_t n) {
  U value = 0;
  for (std::size_t i = 0; i < n; ++i) value |= static_cast<U>(in[i]) << (8 * i);
  return value;
}

}  // namespace

Bytes encode_bool(bool value) { return {static_cast<uint8_t>(value ? 1 : 0)}; }

Bytes encode_f64(double value) {
  if (!std::isfinite(value))
    throw Error(EINVAL, std::string("f64 must be a finite number, found ") + (std::isnan(value) ? "NaN" : "infinity"));
  Bytes out(8);
  put_le(out.data(), std::bit_cast<uint64_t>(value), 8);
  return out;
}

Bytes encode_i128(i128 value) {
  Bytes out(16);
  put_le(out.data(), static_cast<u128>(value), 16);
  return out;
}

std::array<uint8_t, 4> encode_string_length(uint64_t length) {
  if (length > std::numeric_limits<uint32_t>::max())
    throw Error(EINVAL,
                "a string value can hold at most 4294967295 bytes (borsh u32 length), found " + std::to_string(length));
  std::array<uint8_t, 4> out;
  put_le(out.data(), length, 4);
  return out;
}

Bytes encode_string(std::string_view utf8) {
  const auto header = encode_string_length(utf8.size());
  Utf8Validator validator(/*allow_nul=*/true);
  validator.feed(as_bytes(utf8));
  if (!validator.finish())
    throw Error(EINVAL, "a string value must be valid UTF-8, found an invalid byte at offset " +
                            std::to_string(validator.ok() ? utf8.size() : validator.error_offset()));
  Bytes out(header.size() + utf8.size());
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(utf8.begin(), utf8.end(), out.begin() + header.size());
  return out;
}

bool decode_bool(ByteView borsh) {
  require_size(borsh, 1, "bool");
  if (borsh[0] > 1) throw Error(EINVAL, "borsh bool must be 00 or 01, found " + to_hex(borsh));
  return borsh[0] == 1;
}

double decode_f64(ByteView borsh) {
  require_size(borsh, 8, "f64");
  const double value = std::bit_cast<double>(get_le<uint64_t>(borsh.data(), 8));
  if (!std::isfinite(value))
    throw Error(EINVAL, "borsh f64 must be finite, found " + std::string(std::isnan(value) ? "NaN" : "infinity") +
                            " (" + to_hex(borsh) + ")");
  return value;
}

i128 decode_i128(ByteView borsh) {
  require_size(borsh, 16, "i128");
  return static_cast<i128>(get_le<u128>(borsh.data(), 16));
}

uint64_t decode_string_length(ByteView header, uint64_t entry_size) {
  require_size(header, 4, "string length");
  const uint64_t length = get_le<uint64_t>(header.data(), 4);
  if (entry_size < 4 || entry_size - 4 != length)
    throw Error(EINVAL, "borsh string announces " + std::to_string(length) + " bytes but holds " +
                            std::to_string(entry_size < 4 ? 0 : entry_size - 4));
  return length;
}

std::string decode_string(ByteView borsh) {
  if (borsh.size() < 4)
    throw Error(EINVAL, "borsh string must start with a 4-byte length, found " + std::to_string(borsh.size()) +
                            " byte" + (borsh.size() == 1 ? "" : "s"));
  decode_string_length(borsh.first(4), borsh.size());
  const ByteView value = borsh.subspan(4);
  Utf8Validator validator(/*allow_nul=*/true);
  validator.feed(value);
  if (!validator.finish())
    throw Error(EINVAL, "borsh string is not valid UTF-8 (invalid byte at offset " +
                            std::to_string(validator.ok() ? value.size() : validator.error_offset()) + ")");
  return std::string(as_chars(value));
}

Bytes scalar_from_text(FieldType type, std::string_view text) {
  switch (type) {
    case FieldType::Bool:
      return encode_bool(parse_bool(text));
    case FieldType::F64:
      return encode_f64(parse_f64(text));
    case FieldType::I128:
      return encode_i128(parse_i128(text));
    case FieldType::String:
      if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
      return encode_string(text);
    default:
      throw Error(EINVAL, "type " + std::string(to_string(type)) + " is binary, not a scalar with a text form");
  }
}

std::string scalar_to_text(FieldType type, ByteView borsh) {
  switch (type) {
    case FieldType::Bool:
      return to_text(decode_bool(borsh));
    case FieldType::F64:
      return to_text(decode_f64(borsh));
    case FieldType::I128:
      return to_text(decode_i128(borsh));
    case FieldType::String:
      return decode_string(borsh);
    default:
      throw Error(EINVAL, "type " + std::string(to_string(type)) + " is binary, not a scalar with a text form");
  }
}

}  // namespace pfs::format
