#include "protectedfs/cache/state_keys.hpp"

#include <string>

#include "protectedfs/crypto/kdf.hpp"

namespace pfs::cache {

MasterKey state_key(ByteView staging_master, std::string_view use) {
  return crypto::derive_key(staging_master, "protectedfs " + std::string(use) + " key v2");
}

}  // namespace pfs::cache
