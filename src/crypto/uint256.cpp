#include "protectedfs/crypto/uint256.hpp"

#include <cryptopp/integer.h>
#include <cryptopp/misc.h>

#include <algorithm>

#include "crypto/detail.hpp"

namespace pfs::crypto {
namespace {

CryptoPP::Integer to_integer(const Uint256& v) { return CryptoPP::Integer(v.bytes().data(), 32); }

Uint256 from_integer(const CryptoPP::Integer& v, const char* operation) {
  if (v.IsNegative()) throw Error(ERANGE, std::string("uint256 ") + operation + " goes below zero");
  if (v.BitCount() > 256) throw Error(ERANGE, std::string("uint256 ") + operation + " overflows 256 bits");
  std::array<uint8_t, 32> be;
  v.Encode(be.data(), be.size());
  return Uint256::from_be_bytes(be);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uint256 Uint256::from_be_bytes(ByteView bytes) {
  if (bytes.size() > 32) throw Error(EINVAL, "uint256 takes at most 32 bytes, got " + std::to_string(bytes.size()));
  Uint256 out;
  std::copy(bytes.begin(), bytes.end(), out.be_.end() - static_cast<std::ptrdiff_t>(bytes.size()));
  return out;
}

Uint256 Uint256::from_decimal(std::string_view text) {
  if (text.empty()) throw Error(EINVAL, "empty text where a decimal number was expected");
  // Crypto++'s string constructor skips characters it does not understand and honours radix suffixes ('h', 'o',
  // 'b'), so the digits are checked here first: "12abc" must fail, not become 12.
  for (char c : text)
    if (c < '0' || c > '9') throw Error(EINVAL, "not a decimal number: " + detail::quoted(text));
  std::string_view digits = text.substr(std::min(text.find_first_not_of('0'), text.size()));
  if (digits.empty()) return Uint256();
  // 2^256 has 78 decimal digits; anything longer overflows (and is not worth a big-number parse).
  if (digits.size() > 78) throw Error(EINVAL, "decimal number does not fit in 256 bits: " + detail::quoted(text));
  CryptoPP::Integer value(std::string(digits).c_str());
  if (value.BitCount() > 256) throw Error(EINVAL, "decimal number does not fit in 256 bits: " + detail::quoted(text));
  return from_integer(value, "parse");
}

Uint256 Uint256::from_hex(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.remove_prefix(2);
  if (digits.empty()) throw Error(EINVAL, "no hex digits in " + detail::quoted(text));
  for (char c : digits)
    if (hex_digit(c) < 0) throw Error(EINVAL, "not a hex number: " + detail::quoted(text));
  digits = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.size() > 64) throw Error(EINVAL, "hex number does not fit in 256 bits: " + detail::quoted(text));
  Uint256 out;
  // Fill from the least significant nibble so that an odd digit count needs no special case.
  for (std::size_t i = 0; i < digits.size(); ++i) {
    auto nibble = static_cast<uint8_t>(hex_digit(digits[digits.size() - 1 - i]));
    out.be_[31 - i / 2] = static_cast<uint8_t>(out.be_[31 - i / 2] | (i % 2 ? nibble << 4 : nibble));
  }
  return out;
}

Uint256 Uint256::parse(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) return from_hex(text);
  return from_decimal(text);
}

Uint256 Uint256::max() noexcept {
  Uint256 out;
  out.be_.fill(0xff);
  return out;
}

std::string Uint256::to_decimal() const { return CryptoPP::IntToString(to_integer(*this), 10); }

std::string Uint256::to_hex() const {
  std::string hex = pfs::to_hex(be_);
  std::size_t first = std::min(hex.find_first_not_of('0'), hex.size() - 1);
  return "0x" + hex.substr(first);
}

Bytes Uint256::to_minimal_bytes() const {
  auto first = std::find_if(be_.begin(), be_.end(), [](uint8_t b) { return b != 0; });
  return Bytes(first, be_.end());
}

bool Uint256::is_zero() const noexcept {
  return std::all_of(be_.begin(), be_.end(), [](uint8_t b) { return b == 0; });
}

bool Uint256::fits_uint64() const noexcept {
  return std::all_of(be_.begin(), be_.begin() + 24, [](uint8_t b) { return b == 0; });
}

uint64_t Uint256::to_uint64() const {
  if (!fits_uint64()) throw Error(ERANGE, "value " + to_decimal() + " does not fit in 64 bits");
  uint64_t out = 0;
  for (std::size_t i = 24; i < 32; ++i) out = out << 8 | be_[i];
  return out;
}

Uint256 operator+(const Uint256& a, const Uint256& b) {
  return from_integer(to_integer(a) + to_integer(b), "addition");
}
Uint256 operator-(const Uint256& a, const Uint256& b) {
  return from_integer(to_integer(a) - to_integer(b), "subtraction");
}
Uint256 operator*(const Uint256& a, const Uint256& b) {
  return from_integer(to_integer(a) * to_integer(b), "multiplication");
}

}  // namespace pfs::crypto
