// The keys of a wallet's metadata cache and vault: one per use ("metadata", "vault"), derived from the staging
// store's key (itself derived from the wallet's, staging_store.hpp).
#pragma once
#include <string_view>

#include "protectedfs/cache/metadata_db.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::cache {

// v2, the current key: crypto::derive_key(staging master key, "protectedfs " + use + " key v2").
MasterKey state_key(ByteView staging_master, std::string_view use);

// v1, keccak256("protectedfs " + use + " key v1" || staging master key): a second construction beside the one every
// other key goes through, kept for one purpose, as the LegacyKey of a cache or vault sealed with it, whose records
// are then re-sealed with the v2 key and never read with this one again (src/cache/key_migration.hpp).
MasterKey legacy_v1_key(ByteView staging_master, std::string_view use);

}  // namespace pfs::cache
