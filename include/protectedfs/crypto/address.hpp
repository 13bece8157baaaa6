// Ethereum account addresses: the last 20 bytes of keccak256(uncompressed public key without its 0x04 prefix),
// written as "0x" + 40 hex digits with the EIP-55 mixed-case checksum (what ethers, the iExec SDK and block
// explorers print). Parsing accepts all-lowercase and all-uppercase (no checksum) but a mixed-case address must carry
// a correct checksum: a mistyped address in a grant or a transfer would otherwise silently go to a stranger.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

class PrivateKey;
class PublicKey;

class Address {
 public:
  constexpr Address() noexcept : bytes_{} {}  // the zero address
  explicit constexpr Address(const std::array<uint8_t, 20>& bytes) noexcept : bytes_(bytes) {}

  static constexpr Address zero() noexcept { return Address(); }
  // "0x" + 40 hex digits; EINVAL with a precise message otherwise (see the header comment for the case rule).
  static Address parse(std::string_view text);
  // Exactly 20 raw bytes; EINVAL otherwise.
  static Address from_bytes(ByteView bytes);
  static Address from_public_key(const PublicKey& key);
  static Address from_private_key(const PrivateKey& key);

  std::string to_string() const;     // EIP-55 checksummed, "0x…"
  std::string to_lowercase() const;  // "0x" + lowercase hex (what JSON-RPC filters and the SMS URL accept)
  const std::array<uint8_t, 20>& bytes() const noexcept { return bytes_; }
  std::array<uint8_t, 32> to_word() const noexcept;  // left-padded to 32 bytes: the ABI / EIP-712 / topic encoding
  bool is_zero() const noexcept;

  friend auto operator<=>(const Address&, const Address&) = default;

 private:
  std::array<uint8_t, 20> bytes_;
};

}  // namespace pfs::crypto
