#include "cli/consumer_context.hpp"

#include "cli/user_paths.hpp"
#include "cli/wallet_file.hpp"
#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/network/open_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {

void ConsumerContext::add_network_flag(CLI::App* command) {
  command->add_option("--network", network,
                      "local, local:DIR, arbitrum-sepolia-testnet, arbitrum-mainnet or a profile of the config file "
                      "(default: the config's default_network, else local)");
}

void ConsumerContext::add_wallet_flags(CLI::App* command, bool signs) {
  command->add_option("--wallet", wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
  if (signs) command->add_option("--password-file", password.file, "read the wallet password from this file");
}

std::unique_ptr<network::Network> ConsumerContext::open_network() const { return network::open_network(network); }

std::unique_ptr<network::Network> ConsumerContext::open_existing_network() const {
  const std::string name =
      network.empty() ? network::configured_default_network(network::default_config_path()).value_or("local") : network;
  std::filesystem::path local;
  if (name == network::kLocalNetworkName) local = network::default_local_network_dir();
  else if (name.starts_with("local:")) local = name.substr(6);
  std::error_code ec;
  if (!local.empty() && !std::filesystem::is_directory(local, ec)) return nullptr;
  return network::open_network(name);
}

std::filesystem::path ConsumerContext::wallet_path() const {
  return wallet.empty() ? default_wallet_path() : std::filesystem::path(wallet);
}

crypto::Address ConsumerContext::wallet_address() const {
  const auto path = wallet_path();
  const auto address = crypto::keystore_address(read_wallet_text(path));
  if (!address) throw Error(EINVAL, path.string() + " has no address field: not a keystore v3 wallet");
  return *address;
}

crypto::PrivateKey ConsumerContext::unlock() const {
  const auto path = wallet_path();
  const std::string keystore = read_wallet_text(path);
  return crypto::decrypt_keystore(keystore, read_password(password, "Password of " + path.string() + ": "));
}

}  // namespace pfs::cli
