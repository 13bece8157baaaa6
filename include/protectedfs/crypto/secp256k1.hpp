// secp256k1 keys and recoverable ECDSA signatures, as Ethereum uses them (libsecp256k1 with its recovery module).
// Signatures are deterministic (RFC 6979 nonces, libsecp256k1's default) and always low-s, like ethers' and geth's.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

// 64 bytes X || Y of the uncompressed point (the SEC1 form without its 0x04 prefix): the input of the address hash.
class PublicKey {
 public:
  // SEC1 encoding: 33 bytes (compressed), 65 bytes (04 || X || Y) or 64 bytes (X || Y); EINVAL if not on the curve.
  static PublicKey parse(ByteView bytes);
  const std::array<uint8_t, 64>& xy() const noexcept { return xy_; }
  std::array<uint8_t, 65> uncompressed() const noexcept;  // 04 || X || Y
  std::array<uint8_t, 33> compressed() const;
  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  friend class PrivateKey;
  friend PublicKey recover_public_key(const Hash32&, ByteView);
  PublicKey() = default;
  std::array<uint8_t, 64> xy_{};
};

// A valid secret scalar (1 <= k < n). Wiped from memory on destruction; never printed: there is no to_string and no
// error message contains it. Movable but not copyable, so that copies of the secret do not spread by accident.
class PrivateKey {
 public:
  // Exactly 32 bytes, validated with secp256k1_ec_seckey_verify; EINVAL (without the bytes) otherwise.
  static PrivateKey from_bytes(ByteView bytes);
  // "0x" optional + 64 hex digits.
  static PrivateKey from_hex(std::string_view text);
  static PrivateKey generate();  // libsodium's CSPRNG, retried in the ~2^-128 case of an invalid scalar

  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // The raw secret, for the keystore writer only. Do not log it.
  ByteView secret_bytes() const noexcept { return bytes_; }
  PublicKey public_key() const;
  Address address() const;

 private:
  PrivateKey() = default;
  std::array<uint8_t, 32> bytes_{};
};

struct Signature {
  Hash32 r{};
  Hash32 s{};
  int recid = 0;  // 0 or 1: which of the candidate public keys signed (needed to recover the signer)

  // The 65-byte r || s || v form of personal_sign, EIP-712 orders and the SMS: v = 27 + recid.
  std::array<uint8_t, 65> to_rsv() const noexcept;
  // Accepts v = 0, 1, 27 or 28; EINVAL on another length or v.
  static Signature from_rsv(ByteView bytes);
};

// Signs a 32-byte digest (the caller has already hashed: keccak, EIP-191 or EIP-712).
Signature sign_recoverable(const PrivateKey& key, const Hash32& digest);
// The signer of digest, from a 65-byte r || s || v signature (v 0/1/27/28). EINVAL if the signature is malformed
// (r or s zero or >= n) or no key recovers. High-s signatures are accepted like the EVM's ecrecover does.
PublicKey recover_public_key(const Hash32& digest, ByteView signature);
Address recover_address(const Hash32& digest, ByteView signature);

}  // namespace pfs::crypto
