// The wallet file: a keystore v3 JSON, owner-only, written atomically and never over an existing wallet.
#pragma once
#include <filesystem>
#include <string>

#include "protectedfs/crypto/secp256k1.hpp"

namespace pfs::cli {

std::string read_wallet_text(const std::filesystem::path& path);
void save_wallet(const std::filesystem::path& path, const std::string& keystore);
// A new random key saved at `path` (EEXIST if a wallet is there; EINVAL for an empty password).
crypto::PrivateKey create_wallet(const std::filesystem::path& path, const std::string& password);

}  // namespace pfs::cli
