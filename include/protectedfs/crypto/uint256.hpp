// A 256-bit unsigned integer: Solidity's uint256 and Ethereum's quantities (prices in nRLC, volumes, chain ids, wei,
// gas, nonces). Stored as 32 big-endian bytes because that is exactly the ABI word and EIP-712 encoding; RLP wants
// the same bytes without leading zeros. Parsing is strict (no sign, no spaces, no silent truncation) since these
// values come from users and from the network; arithmetic is checked and throws instead of wrapping.
#pragma once
#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

class Uint256 {
 public:
  constexpr Uint256() noexcept : be_{} {}
  // Implicit on purpose: `Uint256 volume = 1;` reads like the number it is. A negative value throws ERANGE instead
  // of silently wrapping to 2^64 - n (bool is excluded: it is never meant as a number here).
  template <std::integral T>
  requires(!std::same_as<T, bool>) constexpr Uint256(T value) : be_{} {  // NOLINT(google-explicit-constructor)
    if constexpr (std::is_signed_v<T>)
      if (value < 0) throw Error(ERANGE, "negative value " + std::to_string(value) + " for an unsigned integer");
    auto v = static_cast<uint64_t>(value);
    for (std::size_t i = 0; i < 8; ++i) be_[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  }

  // Big-endian bytes, at most 32 (leading zeros allowed); EINVAL if longer.
  static Uint256 from_be_bytes(ByteView bytes);
  // Decimal digits only (leading zeros allowed); EINVAL on anything else or on a value >= 2^256.
  static Uint256 from_decimal(std::string_view text);
  // Hex digits with an optional 0x prefix, any length from 1 digit (JSON-RPC quantities like "0x1a" are odd);
  // EINVAL on a non-hex digit or a value >= 2^256.
  static Uint256 from_hex(std::string_view text);
  // "0x…" is hex, anything else decimal.
  static Uint256 parse(std::string_view text);
  static Uint256 max() noexcept;

  std::string to_decimal() const;
  std::string to_hex() const;  // JSON-RPC quantity: "0x" + minimal lowercase hex, "0x0" for zero
  const std::array<uint8_t, 32>& bytes() const noexcept { return be_; }  // the ABI word
  Bytes to_minimal_bytes() const;  // big-endian without leading zeros, empty for zero (RLP's integer form)

  bool is_zero() const noexcept;
  bool fits_uint64() const noexcept;
  uint64_t to_uint64() const;  // ERANGE if the value needs more than 64 bits

  // Checked arithmetic: ERANGE on overflow or on a negative result.
  friend Uint256 operator+(const Uint256& a, const Uint256& b);
  friend Uint256 operator-(const Uint256& a, const Uint256& b);
  friend Uint256 operator*(const Uint256& a, const Uint256& b);

  // Big-endian storage makes lexicographic order the numeric order.
  friend auto operator<=>(const Uint256&, const Uint256&) = default;

 private:
  std::array<uint8_t, 32> be_;
};

}  // namespace pfs::crypto
