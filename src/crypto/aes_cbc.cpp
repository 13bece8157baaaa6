#include "protectedfs/crypto/aes_cbc.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

namespace pfs::crypto {
namespace {

struct EvpContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~EvpContext() { EVP_CIPHER_CTX_free(ctx); }
};

int as_int(std::size_t n) {
  if (n > (1u << 30)) throw Error(EINVAL, "cipher call too large");
  return static_cast<int>(n);
}

// Decrypts whole blocks without padding handling: `previous` is the ciphertext block before `in` (the IV first).
void decrypt_blocks(const AesKey& key, const uint8_t* previous, ByteView in, uint8_t* out) {
  EvpContext c;
  int n = 0;
  if (!c.ctx || EVP_DecryptInit_ex(c.ctx, EVP_aes_256_cbc(), nullptr, key.data(), previous) != 1 ||
      EVP_CIPHER_CTX_set_padding(c.ctx, 0) != 1 ||
      EVP_DecryptUpdate(c.ctx, out, &n, in.data(), as_int(in.size())) != 1 || n != as_int(in.size()))
    throw Error(EIO, "AES decryption failed");
}

}  // namespace

struct AesCbcEncryptor::Context : EvpContext {};

AesCbcEncryptor::AesCbcEncryptor(const AesKey& key, const AesIv& iv) : ctx_(std::make_unique<Context>()) {
  if (!ctx_->ctx || EVP_EncryptInit_ex(ctx_->ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1)
    throw Error(EIO, "AES initialisation failed");
}

AesCbcEncryptor::~AesCbcEncryptor() = default;

std::size_t AesCbcEncryptor::update(ByteView in, std::span<uint8_t> out) {
  if (out.size() < in.size() + kAesBlock - 1) throw Error(EINVAL, "AES output buffer too small");
  std::size_t written = 0;
  // EVP takes int lengths: feed large inputs in slices.
  while (!in.empty()) {
    const std::size_t piece = std::min<std::size_t>(in.size(), 1u << 28);
    int n = 0;
    if (EVP_EncryptUpdate(ctx_->ctx, out.data() + written, &n, in.data(), as_int(piece)) != 1)
      throw Error(EIO, "AES encryption failed");
    written += static_cast<std::size_t>(n);
    in = in.subspan(piece);
  }
  return written;
}

std::size_t AesCbcEncryptor::finish(std::span<uint8_t> out) {
  if (out.size() < kAesBlock) throw Error(EINVAL, "AES output buffer too small");
  int n = 0;
  if (EVP_EncryptFinal_ex(ctx_->ctx, out.data(), &n) != 1) throw Error(EIO, "AES encryption failed");
  return static_cast<std::size_t>(n);
}

CbcDecryptingSource::CbcDecryptingSource(std::shared_ptr<const RandomAccessSource> ciphertext, const AesKey& key)
    : ciphertext_(std::move(ciphertext)), key_(key) {
  const uint64_t total = ciphertext_->size();
  if (total < 2 * kAesBlock || total % kAesBlock != 0)
    throw Error(EBADMSG, "truncated protected file: " + std::to_string(total) +
                             " bytes is not an IV followed by whole AES blocks");
  std::array<uint8_t, 2 * kAesBlock> tail;
  ciphertext_->read_at(total - 2 * kAesBlock, tail);
  std::array<uint8_t, kAesBlock> last;
  decrypt_blocks(key_, tail.data(), ByteView(tail).subspan(kAesBlock), last.data());
  const uint8_t pad = last[kAesBlock - 1];
  const bool padding_ok =
      pad >= 1 && pad <= kAesBlock && std::all_of(last.end() - pad, last.end(), [pad](uint8_t b) { return b == pad; });
  wipe(last);
  if (!padding_ok) throw Error(EBADMSG, "decryption failed: wrong key or corrupt file (invalid padding)");
  plaintext_size_ = total - kAesBlock - pad;
}

CbcDecryptingSource::~CbcDecryptingSource() { wipe(key_); }

void CbcDecryptingSource::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > plaintext_size_ || out.size() > plaintext_size_ - offset)
    throw Error(EINVAL, "read past the end of the decrypted data");
  // Decrypt in bounded slices: [first block - 1 (IV/previous), last block], then copy out the wanted bytes.
  constexpr std::size_t kSlice = 1 << 20;
  std::vector<uint8_t> cipher, plain;
  while (!out.empty()) {
    const uint64_t first_block = offset / kAesBlock;
    const std::size_t skip = static_cast<std::size_t>(offset % kAesBlock);
    const std::size_t want = std::min(out.size(), kSlice - skip);
    const std::size_t blocks = (skip + want + kAesBlock - 1) / kAesBlock;
    // Ciphertext block k of the plaintext stream sits at file offset 16 * (k + 1); its predecessor at 16 * k.
    cipher.resize((blocks + 1) * kAesBlock);
    ciphertext_->read_at(first_block * kAesBlock, cipher);
    plain.resize(blocks * kAesBlock);
    decrypt_blocks(key_, cipher.data(), ByteView(cipher).subspan(kAesBlock), plain.data());
    std::copy_n(plain.begin() + static_cast<std::ptrdiff_t>(skip), want, out.begin());
    out = out.subspan(want);
    offset += want;
  }
  wipe(plain);
}

AesKey aes_key_from_base64(std::string_view base64) {
  Bytes raw;
  try {
    raw = from_base64(base64);
  } catch (const Error&) {
  }
  if (raw.size() != 32) {
    wipe(raw);
    throw Error(EINVAL, "the key must be 32 bytes in standard base64 (44 characters)");
  }
  AesKey key;
  std::copy(raw.begin(), raw.end(), key.begin());
  wipe(raw);
  return key;
}

}  // namespace pfs::crypto
