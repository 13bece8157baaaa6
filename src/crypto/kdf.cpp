#include "protectedfs/crypto/kdf.hpp"

#include <sodium.h>

#include <cerrno>
#include <string>

#include "protectedfs/util/error.hpp"

namespace pfs::crypto {

DerivedKey derive_key(ByteView key, std::string_view context, ByteView data) {
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX)
    throw Error(EINVAL, "key derivation: a " + std::to_string(key.size()) + "-byte key (16 to 64 expected)");
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), kDerivedKeySize);
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(context.data()), context.size());
  if (!data.empty()) crypto_generichash_update(&state, data.data(), data.size());
  DerivedKey out;
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace pfs::crypto
