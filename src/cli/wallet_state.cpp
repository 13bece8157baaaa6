#include "cli/wallet_state.hpp"

#include <algorithm>

#include "cli/user_paths.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::cli {

namespace fs = std::filesystem;

cache::MasterKey derived_key(const staging::MasterKey& master, const std::string& use) {
  Bytes input = to_bytes("protectedfs " + use + " key v1");
  input.insert(input.end(), master.bytes().begin(), master.bytes().end());
  const Hash32 digest = crypto::keccak256(input);
  wipe(input);
  cache::MasterKey key;
  std::copy(digest.begin(), digest.end(), key.begin());
  return key;
}

std::string state_name(const std::string& requested, const network::Network& network) {
  if (requested.rfind("local:", 0) != 0) return network.name;
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(requested.substr(6)), ec);
  const Hash32 digest = crypto::keccak256(as_bytes(dir.string()));
  return network.name + "-" + to_hex(ByteView(digest.data(), 4));
}

cache::WalletVault open_wallet_vault(const std::string& requested, const network::Network& network,
                                     const crypto::PrivateKey& key) {
  const std::string where = state_name(requested, network) + "-" + key.address().to_string();
  return cache::WalletVault(data_directory() / "wallets" / where,
                            derived_key(staging::derive_staging_key(key), "vault"));
}

}  // namespace pfs::cli
