// Byte buffers and their text forms (hex with or without 0x, standard base64), used by every module.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pfs {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string_view as_chars(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
inline Bytes to_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Lowercase hex, no prefix.
std::string to_hex(ByteView bytes);
// "0x" + lowercase hex.
std::string to_hex0x(ByteView bytes);
// Accepts an optional 0x/0X prefix and either case; throws pfs::Error(EINVAL) on odd length or a non-hex digit.
Bytes from_hex(std::string_view text);
// Same, and the decoded length must be exactly N.
template <std::size_t N>
std::array<uint8_t, N> from_hex_fixed(std::string_view text);

// Standard base64 with padding (44 characters for a 32-byte key).
std::string to_base64(ByteView bytes);
// Strict standard base64; throws pfs::Error(EINVAL) on anything else.
Bytes from_base64(std::string_view text);

// Cryptographically secure random bytes (libsodium).
void random_fill(std::span<uint8_t> out);
template <std::size_t N>
std::array<uint8_t, N> random_array() {
  std::array<uint8_t, N> out;
  random_fill(out);
  return out;
}

// Overwrites memory that held a secret in a way the compiler keeps.
void wipe(std::span<uint8_t> secret);

}  // namespace pfs

#include "protectedfs/util/error.hpp"

template <std::size_t N>
std::array<uint8_t, N> pfs::from_hex_fixed(std::string_view text) {
  Bytes raw = from_hex(text);
  if (raw.size() != N)
    throw Error(EINVAL, "expected " + std::to_string(N) + " bytes of hex, got " + std::to_string(raw.size()));
  std::array<uint8_t, N> out;
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}
