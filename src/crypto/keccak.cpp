#include "protectedfs/crypto/keccak.hpp"

#include <cryptopp/keccak.h>

namespace pfs::crypto {

struct Keccak256::State {
  CryptoPP::Keccak_256 hash;
};

Keccak256::Keccak256() : state_(std::make_unique<State>()) {}
Keccak256::~Keccak256() = default;
Keccak256::Keccak256(Keccak256&&) noexcept = default;
Keccak256& Keccak256::operator=(Keccak256&&) noexcept = default;

Keccak256& Keccak256::update(ByteView data) {
  if (!data.empty()) state_->hash.Update(data.data(), data.size());
  return *this;
}

Hash32 Keccak256::finish() {
  static_assert(CryptoPP::Keccak_256::DIGESTSIZE == 32);
  Hash32 out;
  state_->hash.Final(out.data());  // Final() also restarts the hash
  return out;
}

Hash32 keccak256(ByteView data) { return Keccak256().update(data).finish(); }

}  // namespace pfs::crypto
