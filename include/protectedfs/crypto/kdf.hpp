// The one key derivation of protectedfs: every key derived from another one goes through derive_key, each use
// naming itself by its context string (the staging master key from the wallet, each staged file's key, the metadata
// cache's and the vault's keys), so that two uses never share a key and there is one construction to review.
//
// Construction: BLAKE2b-256 (libsodium's crypto_generichash) keyed with `key`, over `context` followed by `data`.
// The staging files depend on it byte for byte (their header MAC is the same keyed hash): it must not change.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

inline constexpr std::size_t kDerivedKeySize = 32;
using DerivedKey = std::array<uint8_t, kDerivedKeySize>;

// `key` is 16 to 64 bytes (BLAKE2b's key sizes; throws pfs::Error(EINVAL) otherwise). The caller wipes the result.
DerivedKey derive_key(ByteView key, std::string_view context, ByteView data = {});

}  // namespace pfs::crypto
