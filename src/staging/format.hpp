// On-disk layout of a staged file (all integers little-endian):
//
//   header, 4096 bytes:  magic "PFSSTAGE" | version u8 (1) | algorithm u8 | 6 zero bytes | id u64 | salt[16]
//                        | mac[32] = BLAKE2b-256 keyed with the master key over "pfs-staging-header" || bytes 0..40
//                        | zeros to 4096
//   block i, 4096 bytes at 4096 * (1 + i):
//                        nonce[24] (AES-GCM uses the first 12) | length u32 | ciphertext[4052] | tag[16]
//
// Block i holds plaintext bytes [4052 i, 4052 (i + 1)); the ciphertext always covers the full 4052 bytes, zero-padded
// past `length` (the padding is kept zero, so a later extension reads zeros there). The associated data is
// id u64 | i u64 | length u32. The per-file key is BLAKE2b-256 keyed with the master key over
// "pfs-staging-file-key" || header bytes 0..40, so it is unique per file (random salt) and nonce limits are per file.
// The plaintext size is (n - 1) * 4052 + length of the last block, n the number of blocks; only the last block's
// length counts (a block that stopped being the last keeps a stale one). An all-zero block is a hole.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace pfs::staging::format {

inline constexpr std::size_t kHeaderSize = 4096;
inline constexpr std::size_t kBlockSize = 4096;
inline constexpr std::size_t kNonceSize = 24;
inline constexpr std::size_t kLengthOffset = 24;
inline constexpr std::size_t kCiphertextOffset = 28;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kCapacity = kBlockSize - kCiphertextOffset - kTagSize;  // 4052
inline constexpr std::size_t kTagOffset = kCiphertextOffset + kCapacity;             // 4080
inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kSaltSize = 16;
inline constexpr std::size_t kMacOffset = 40;
inline constexpr std::size_t kMacSize = 32;
inline constexpr uint8_t kVersion = 1;
inline constexpr uint64_t kMaxBlocks = uint64_t{1} << 40;  // keeps every disk offset far below 2^63
static_assert(kCapacity == 4052 && kTagOffset + kTagSize == kBlockSize);

enum class Algorithm : uint8_t { Aes256Gcm = 1, XChaCha20Poly1305 = 2 };

using FileKey = std::array<uint8_t, kKeySize>;

inline uint64_t block_offset(uint64_t index) { return kHeaderSize + index * kBlockSize; }

inline void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace pfs::staging::format
