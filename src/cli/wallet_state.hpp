// Where a wallet's state on one network lives, shared by the daemon and the commands: the keys derived from the
// wallet for each use, and the wallet's vault ($XDG_DATA_HOME/protectedfs/wallets/<network>-<address>/).
#pragma once
#include <string>

#include "protectedfs/cache/metadata_db.hpp"
#include "protectedfs/cache/wallet_vault.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/staging/staging_store.hpp"

namespace pfs::cli {

// The key of one use ("metadata", "vault") of the wallet's state (cache/state_keys.hpp).
cache::MasterKey state_key(const staging::MasterKey& master, const std::string& use);
// The same use's v1 key, for the cache and the vault to migrate from (asked for only while they do).
cache::LegacyKey legacy_key(const staging::MasterKey& master, const std::string& use);

// Names the state of one wallet on one network: the network's name, and for a local network in a directory of the
// user's choice (local:DIR) a digest of that directory, so that two local networks never share a cache.
std::string state_name(const std::string& requested, const network::Network& network);

// The vault of this wallet on this network (what a mount of it uses too).
cache::WalletVault open_wallet_vault(const std::string& requested, const network::Network& network,
                                     const crypto::PrivateKey& key);

}  // namespace pfs::cli
