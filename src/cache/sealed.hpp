// Values encrypted at rest: 0x01 | 24-byte random nonce | XChaCha20-Poly1305 ciphertext and tag, with the record's
// key as associated data so a sealed value can't be replayed under another key.
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/cache/metadata_db.hpp"

namespace pfs::cache {

std::string seal(const MasterKey& key, std::string_view record_key, std::string_view plaintext);

// Throws pfs::Error(EIO, "cache record <what>: …") for a truncated, tampered, moved or wrong-key value.
std::string unseal(const MasterKey& key, std::string_view record_key, std::string_view sealed, const std::string& what);

}  // namespace pfs::cache
