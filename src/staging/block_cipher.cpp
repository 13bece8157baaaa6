#include "block_cipher.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>

#include "protectedfs/util/error.hpp"

namespace pfs::staging {
namespace {

using namespace format;

constexpr std::size_t kAdSize = 20;
constexpr std::size_t kGcmNonceSize = 12;

void associated_data(uint64_t id, uint64_t index, uint32_t length, uint8_t* ad) {
  put_u64(ad, id);
  put_u64(ad + 8, index);
  put_u32(ad + 16, length);
}

const EVP_CIPHER* aes_gcm() {
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return c ? c : EVP_aes_256_gcm();
  }();
  return cipher;
}

EVP_CIPHER_CTX* new_context(const FileKey& key, int encrypt) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) throw Error(ENOMEM, "cannot allocate a cipher context");
  if (EVP_CipherInit_ex(ctx, aes_gcm(), nullptr, key.data(), nullptr, encrypt) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    throw Error(EIO, "cannot initialise AES-256-GCM");
  }
  return ctx;
}

[[noreturn]] void cipher_failure() { throw Error(EIO, "AES-256-GCM failed while sealing a staged block"); }

}  // namespace

Algorithm preferred_algorithm() {
  static const Algorithm algorithm = [] {
    if (sodium_init() < 0) throw Error(EIO, "libsodium failed to initialise");
    return crypto_aead_aes256gcm_is_available() ? Algorithm::Aes256Gcm : Algorithm::XChaCha20Poly1305;
  }();
  return algorithm;
}

BlockCipher::BlockCipher(Algorithm algorithm, const FileKey& key) : algorithm_(algorithm), key_(key) {}

BlockCipher::~BlockCipher() {
  EVP_CIPHER_CTX_free(encrypt_);
  EVP_CIPHER_CTX_free(decrypt_);
}

void BlockCipher::seal(uint64_t id, uint64_t index, uint32_t length, const uint8_t* plain, const uint8_t* nonce,
                       uint8_t* block) {
  uint8_t ad[kAdSize];
  associated_data(id, index, length, ad);
  put_u32(block + kLengthOffset, length);
  uint8_t* ciphertext = block + kCiphertextOffset;
  uint8_t* tag = block + kTagOffset;
  if (algorithm_ == Algorithm::Aes256Gcm) {
    std::memcpy(block, nonce, kGcmNonceSize);
    std::memset(block + kGcmNonceSize, 0, kNonceSize - kGcmNonceSize);
    if (encrypt_ == nullptr) encrypt_ = new_context(key_, 1);
    int n = 0;
    if (EVP_EncryptInit_ex(encrypt_, nullptr, nullptr, nullptr, nonce) != 1 ||
        EVP_EncryptUpdate(encrypt_, nullptr, &n, ad, static_cast<int>(kAdSize)) != 1 ||
        EVP_EncryptUpdate(encrypt_, ciphertext, &n, plain, static_cast<int>(kCapacity)) != 1 ||
        EVP_EncryptFinal_ex(encrypt_, ciphertext + n, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(encrypt_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) != 1)
      cipher_failure();
  } else {
    std::memcpy(block, nonce, kNonceSize);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(ciphertext, tag, nullptr, plain, kCapacity, ad, kAdSize,
                                                        nullptr, nonce, key_.data());
  }
}

bool BlockCipher::open(uint64_t id, uint64_t index, const uint8_t* block, uint8_t* plain, uint32_t& length) {
  length = get_u32(block + kLengthOffset);
  uint8_t ad[kAdSize];
  associated_data(id, index, length, ad);
  const uint8_t* ciphertext = block + kCiphertextOffset;
  const uint8_t* tag = block + kTagOffset;
  bool ok = false;
  if (algorithm_ == Algorithm::Aes256Gcm) {
    if (decrypt_ == nullptr) decrypt_ = new_context(key_, 0);
    uint8_t tag_copy[kTagSize];
    std::memcpy(tag_copy, tag, kTagSize);
    int n = 0;
    ok = EVP_DecryptInit_ex(decrypt_, nullptr, nullptr, nullptr, block) == 1 &&
         EVP_DecryptUpdate(decrypt_, nullptr, &n, ad, static_cast<int>(kAdSize)) == 1 &&
         EVP_DecryptUpdate(decrypt_, plain, &n, ciphertext, static_cast<int>(kCapacity)) == 1 &&
         EVP_CIPHER_CTX_ctrl(decrypt_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag_copy) == 1 &&
         EVP_DecryptFinal_ex(decrypt_, plain + n, &n) == 1;
  } else {
    ok = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(plain, nullptr, ciphertext, kCapacity, tag, ad, kAdSize,
                                                             block, key_.data()) == 0;
  }
  ok = ok && length >= 1 && length <= kCapacity;
  if (!ok) std::memset(plain, 0, kCapacity);
  return ok;
}

}  // namespace pfs::staging
