#include <algorithm>
#include <string_view>

#include "protectedfs/crypto/kdf.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/staging/staging_store.hpp"

namespace pfs::staging {

MasterKey::MasterKey(std::span<const uint8_t, kSize> bytes) { std::copy(bytes.begin(), bytes.end(), bytes_.begin()); }

MasterKey MasterKey::random() {
  std::array<uint8_t, kSize> bytes = random_array<kSize>();
  MasterKey key(bytes);
  wipe(bytes);
  return key;
}

MasterKey& MasterKey::operator=(const MasterKey& other) {
  bytes_ = other.bytes_;
  return *this;
}

MasterKey::~MasterKey() { wipe(bytes_); }

MasterKey derive_staging_key(const crypto::PrivateKey& wallet_key) {
  static_assert(MasterKey::kSize == crypto::kDerivedKeySize);
  crypto::DerivedKey out = crypto::derive_key(wallet_key.secret_bytes(), "protectedfs staging master key v1");
  MasterKey key(out);
  wipe(out);
  return key;
}

}  // namespace pfs::staging
