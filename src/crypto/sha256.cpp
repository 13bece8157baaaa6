#include "protectedfs/crypto/sha256.hpp"

#include <algorithm>

#include <openssl/evp.h>

namespace pfs::crypto {

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
  void reset() {
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) throw Error(EIO, "SHA-256 initialisation failed");
  }
};

Sha256::Sha256() : state_(std::make_unique<State>()) { state_->reset(); }
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(ByteView data) {
  if (!data.empty()) EVP_DigestUpdate(state_->ctx, data.data(), data.size());
}

Hash32 Sha256::finish() {
  Hash32 out;
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->ctx, out.data(), &length);
  state_->reset();
  return out;
}

Hash32 Sha256::digest(ByteView data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

Hash32 Sha256::digest(const RandomAccessSource& source) {
  Sha256 sha;
  Bytes buffer(1 << 20);
  for (uint64_t at = 0; at < source.size();) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), source.size() - at));
    source.read_at(at, std::span(buffer.data(), n));
    sha.update(ByteView(buffer.data(), n));
    at += n;
  }
  return sha.finish();
}

}  // namespace pfs::crypto
