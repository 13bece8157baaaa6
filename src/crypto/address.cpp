#include "protectedfs/crypto/address.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/detail.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/secp256k1.hpp"

namespace pfs::crypto {

Address Address::parse(std::string_view text) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x')
    throw Error(EINVAL, "address must start with 0x: " + detail::quoted(text));
  std::string_view digits = text.substr(2);
  if (digits.size() != 40)
    throw Error(EINVAL, "address must be 0x followed by 40 hex digits, got " + std::to_string(digits.size()) +
                            " characters: " + detail::quoted(text));
  bool lower = false, upper = false;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    char c = digits[i];
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      throw Error(EINVAL,
                  "address has a non-hex character at position " + std::to_string(i + 2) + ": " + detail::quoted(text));
    lower |= (c >= 'a' && c <= 'f');
    upper |= (c >= 'A' && c <= 'F');
  }
  Address out = from_bytes(pfs::from_hex(digits));
  // Single-case text carries no checksum; mixed case claims one and must be right (EIP-55).
  if (lower && upper && out.to_string() != text)
    throw Error(EINVAL, "address checksum-case mismatch: " + std::string(text) + " (the EIP-55 form is " +
                            out.to_string() + "; check for a typo)");
  return out;
}

Address Address::from_bytes(ByteView bytes) {
  if (bytes.size() != 20) throw Error(EINVAL, "address must be 20 bytes, got " + std::to_string(bytes.size()));
  std::array<uint8_t, 20> raw;
  std::copy(bytes.begin(), bytes.end(), raw.begin());
  return Address(raw);
}

Address Address::from_public_key(const PublicKey& key) {
  Hash32 hash = keccak256(key.xy());
  std::array<uint8_t, 20> raw;
  std::copy(hash.end() - 20, hash.end(), raw.begin());
  return Address(raw);
}

Address Address::from_private_key(const PrivateKey& key) { return from_public_key(key.public_key()); }

std::string Address::to_string() const {
  // EIP-55: a hex letter is uppercase when the matching nibble of keccak256(lowercase hex text) is >= 8.
  std::string hex = pfs::to_hex(bytes_);
  Hash32 hash = keccak256(as_bytes(hex));
  for (std::size_t i = 0; i < hex.size(); ++i) {
    uint8_t nibble = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
    if (hex[i] >= 'a' && nibble >= 8) hex[i] = static_cast<char>(hex[i] - 'a' + 'A');
  }
  return "0x" + hex;
}

std::string Address::to_lowercase() const { return to_hex0x(bytes_); }

std::array<uint8_t, 32> Address::to_word() const noexcept {
  std::array<uint8_t, 32> word{};
  std::copy(bytes_.begin(), bytes_.end(), word.begin() + 12);
  return word;
}

bool Address::is_zero() const noexcept {
  return std::all_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace pfs::crypto
