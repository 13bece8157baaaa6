#include "protectedfs/crypto/result_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "protectedfs/util/error.hpp"

namespace pfs::crypto {
namespace {

constexpr int kRsaBits = 2048;  // the post-compute's RSA-2048
constexpr std::size_t kAesKeySize = 32, kIvSize = 16;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct CipherFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using KeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Key read_key(const std::string& pem, bool is_private) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw Error(ENOMEM, "cannot read a PEM key");
  Key key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
    throw Error(EINVAL, std::string("not an RSA ") + (is_private ? "private" : "public") + " key in PEM");
  return key;
}

Bytes rsa(const Key& key, ByteView input, bool encrypt) {
  KeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0)
    throw Error(EIO, "cannot set up RSA");
  std::size_t size = 0;
  auto step = [&](uint8_t* out) {
    return encrypt ? EVP_PKEY_encrypt(ctx.get(), out, &size, input.data(), input.size())
                   : EVP_PKEY_decrypt(ctx.get(), out, &size, input.data(), input.size());
  };
  if (step(nullptr) <= 0) throw Error(EBADMSG, "the result key does not fit this RSA key");
  Bytes out(size);
  if (step(out.data()) <= 0) throw Error(EBADMSG, "the result key does not decrypt with this RSA key");
  out.resize(size);
  return out;
}

Bytes aes_cbc(ByteView key, ByteView iv, ByteView input, bool encrypt) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1)
    throw Error(EIO, "cannot set up AES-256-CBC");
  Bytes out(input.size() + 16);
  int n = 0, last = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, input.data(), static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &last) != 1)
    throw Error(EBADMSG, "the encrypted result does not decrypt with its key (damaged, or another key)");
  out.resize(static_cast<std::size_t>(n + last));
  return out;
}

}  // namespace

RsaKeyPair generate_result_key_pair() {
  Key key(EVP_RSA_gen(kRsaBits));
  if (!key) throw Error(EIO, "cannot generate an RSA key pair");
  Bio priv(BIO_new(BIO_s_mem())), pub(BIO_new(BIO_s_mem()));
  if (!priv || !pub || PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1)
    throw Error(EIO, "cannot write the RSA key pair");
  return {bio_text(priv.get()), bio_text(pub.get())};
}

std::string public_key_of(const std::string& private_pem) {
  const Key key = read_key(private_pem, true);
  Bio pub(BIO_new(BIO_s_mem()));
  if (!pub || PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) throw Error(EIO, "cannot write the RSA public key");
  return bio_text(pub.get());
}

SealedResult seal_result(ByteView result_zip, const std::string& public_pem) {
  const Key key = read_key(public_pem, false);
  std::array<uint8_t, kAesKeySize> aes{};
  std::array<uint8_t, kIvSize> iv{};
  random_fill(aes);
  random_fill(iv);
  SealedResult out;
  out.payload.assign(iv.begin(), iv.end());
  const Bytes ciphertext = aes_cbc(aes, iv, result_zip, true);
  out.payload.insert(out.payload.end(), ciphertext.begin(), ciphertext.end());
  out.encrypted_key = rsa(key, aes, true);
  wipe(aes);
  return out;
}

Bytes open_result(const SealedResult& sealed, const std::string& private_pem) {
  const Key key = read_key(private_pem, true);
  Bytes aes;
  try {
    aes = rsa(key, sealed.encrypted_key, false);
  } catch (const Error&) {
    // The legacy envelope: aes-key.rsa is the base64 text of the RSA ciphertext of the key's base64 text.
    Bytes raw;
    try {
      raw = from_base64(as_chars(sealed.encrypted_key));
    } catch (const Error&) {
      throw Error(EBADMSG, "the result key does not decrypt with this wallet's result key");
    }
    const Bytes text = rsa(key, raw, false);
    aes = from_base64(as_chars(text));
  }
  if (aes.size() != kAesKeySize || sealed.payload.size() < kIvSize + 16) {
    wipe(aes);
    throw Error(EBADMSG, "not an AES-256-CBC result (iExec's current result encryption)");
  }
  Bytes plain = aes_cbc(aes, ByteView(sealed.payload.data(), kIvSize),
                        ByteView(sealed.payload.data() + kIvSize, sealed.payload.size() - kIvSize), false);
  wipe(aes);
  return plain;
}

}  // namespace pfs::crypto
