#include "cli/wallet_state.hpp"

#include "cli/user_paths.hpp"
#include "protectedfs/cache/state_keys.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::cli {

namespace fs = std::filesystem;

cache::MasterKey state_key(const staging::MasterKey& master, const std::string& use) {
  return cache::state_key(master.bytes(), use);
}

cache::LegacyKey legacy_key(const staging::MasterKey& master, const std::string& use) {
  return [master, use] { return cache::legacy_v1_key(master.bytes(), use); };
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
  const staging::MasterKey master = staging::derive_staging_key(key);
  return cache::WalletVault(data_directory() / "wallets" / where, state_key(master, "vault"),
                            legacy_key(master, "vault"));
}

}  // namespace pfs::cli
