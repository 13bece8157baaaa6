#include "cache/sealed.hpp"

#include <sodium.h>

#include <cerrno>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cache {

namespace {

constexpr uint8_t kVersion = 0x01;
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kHeader = 1 + kNonce;

const unsigned char* uc(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string seal(const MasterKey& key, std::string_view record_key, std::string_view plaintext) {
  std::string out(kHeader + plaintext.size() + kTag, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  random_fill(std::span<uint8_t>(bytes + 1, kNonce));  // 192-bit random nonces: collisions are not a concern
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(bytes + kHeader, &written, uc(plaintext), plaintext.size(), uc(record_key),
                                             record_key.size(), nullptr, bytes + 1, key.data());
  out.resize(kHeader + written);
  return out;
}

std::string unseal(const MasterKey& key, std::string_view record_key, std::string_view sealed,
                   const std::string& what) {
  if (sealed.size() < kHeader + kTag || static_cast<uint8_t>(sealed[0]) != kVersion)
    throw Error(EIO, "cache record " + what + ": not a sealed value (truncated or unknown format)");
  std::string out(sealed.size() - kHeader - kTag, '\0');
  unsigned long long written = 0;
  const unsigned char* in = uc(sealed);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), &written, nullptr,
                                                 in + kHeader, sealed.size() - kHeader, uc(record_key),
                                                 record_key.size(), in + 1, key.data()) != 0)
    throw Error(EIO, "cache record " + what + ": cannot decrypt (tampered, moved, or another master key)");
  out.resize(written);
  return out;
}

}  // namespace pfs::cache
