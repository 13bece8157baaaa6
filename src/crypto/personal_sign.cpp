#include "protectedfs/crypto/personal_sign.hpp"

#include <string>

#include "protectedfs/crypto/keccak.hpp"

namespace pfs::crypto {

Hash32 hash_personal_message(ByteView message) {
  std::string prefix =
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size());
  return Keccak256().update(as_bytes(prefix)).update(message).finish();
}

std::array<uint8_t, 65> personal_sign(const PrivateKey& key, ByteView message) {
  return sign_recoverable(key, hash_personal_message(message)).to_rsv();
}

Address recover_personal_signer(ByteView message, ByteView signature) {
  return recover_address(hash_personal_message(message), signature);
}

}  // namespace pfs::crypto
