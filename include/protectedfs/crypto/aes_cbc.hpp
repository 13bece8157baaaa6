// The iExec protected-file cipher (PROTOCOL.md §1.4): file = IV (16 bytes) || AES-256-CBC(plaintext) with PKCS#7
// padding. OpenSSL EVP provides AES-NI. Encryption is a stream (CBC encryption is inherently serial); decryption
// is random access, since block i only needs ciphertext block i-1, so one field of a large file can be read
// without decrypting the rest.
#pragma once
#include <array>
#include <memory>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::crypto {

using AesKey = std::array<uint8_t, 32>;
using AesIv = std::array<uint8_t, 16>;
constexpr std::size_t kAesBlock = 16;

class AesCbcEncryptor {
 public:
  AesCbcEncryptor(const AesKey& key, const AesIv& iv);
  ~AesCbcEncryptor();
  AesCbcEncryptor(const AesCbcEncryptor&) = delete;
  AesCbcEncryptor& operator=(const AesCbcEncryptor&) = delete;

  // Encrypts `in`; writes whole blocks to `out` (which must hold in.size() + 15 bytes); returns bytes written.
  std::size_t update(ByteView in, std::span<uint8_t> out);
  // Writes the last, padded block (16 bytes; `out` must hold 16). Returns bytes written.
  std::size_t finish(std::span<uint8_t> out);

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

// The plaintext of an IV || AES-256-CBC-PKCS7 file, readable at any offset. The constructor decrypts the last
// block to learn the padding; a bad padding means a wrong key or a corrupt file (EBADMSG). A ciphertext whose
// length is not a multiple of 16, or shorter than IV + one block, is truncated (EBADMSG).
class CbcDecryptingSource final : public RandomAccessSource {
 public:
  CbcDecryptingSource(std::shared_ptr<const RandomAccessSource> ciphertext, const AesKey& key);
  ~CbcDecryptingSource() override;
  uint64_t size() const override { return plaintext_size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;

 private:
  std::shared_ptr<const RandomAccessSource> ciphertext_;
  AesKey key_;
  uint64_t plaintext_size_ = 0;
};

AesKey aes_key_from_base64(std::string_view base64);  // EINVAL unless it decodes to exactly 32 bytes

}  // namespace pfs::crypto
