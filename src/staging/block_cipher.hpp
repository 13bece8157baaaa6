// Sealing and opening one 4096-byte block (format.hpp): AES-256-GCM through OpenSSL's EVP (AES-NI, VAES,
// ~3 GB/s here against ~1.2 GB/s for libsodium's) when the CPU has AES-NI and CLMUL, else libsodium's
// XChaCha20-Poly1305. One BlockCipher per operation and thread: it owns cipher contexts and is not shareable.
#pragma once
#include <cstdint>

#include "format.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace pfs::staging {

// AES-256-GCM when libsodium reports AES-NI + PCLMUL (crypto_aead_aes256gcm_is_available), else XChaCha20-Poly1305.
format::Algorithm preferred_algorithm();

class BlockCipher {
 public:
  BlockCipher(format::Algorithm algorithm, const format::FileKey& key);
  ~BlockCipher();
  BlockCipher(const BlockCipher&) = delete;
  BlockCipher& operator=(const BlockCipher&) = delete;

  // Writes the whole block: nonce (format::kNonceSize bytes, of which GCM uses 12), length, the kCapacity bytes of
  // `plain` encrypted, tag. `plain` must be zero past `length`.
  void seal(uint64_t id, uint64_t index, uint32_t length, const uint8_t* plain, const uint8_t* nonce, uint8_t* block);
  // Decrypts the kCapacity bytes into `plain` and returns true, or returns false (and zeroes `plain`) when the block
  // fails authentication. `length` receives the block's authenticated length.
  bool open(uint64_t id, uint64_t index, const uint8_t* block, uint8_t* plain, uint32_t& length);

 private:
  format::Algorithm algorithm_;
  const format::FileKey& key_;
  EVP_CIPHER_CTX* encrypt_ = nullptr;
  EVP_CIPHER_CTX* decrypt_ = nullptr;
};

}  // namespace pfs::staging
