#include "cli/consumer_context.hpp"

#include "cli/user_paths.hpp"
#include "cli/wallet_file.hpp"
#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {

void ConsumerContext::add_network_flag(CLI::App* command) {
  command->add_option("--network", network, "local (default) or local:DIR");
}

void ConsumerContext::add_wallet_flags(CLI::App* command, bool signs) {
  command->add_option("--wallet", wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
  if (signs) command->add_option("--password-file", password.file, "read the wallet password from this file");
}

namespace {

std::filesystem::path local_directory(const std::string& network) {
  if (network == "local") return data_directory() / "local";
  if (network.starts_with("local:") && network.size() > 6) return network.substr(6);
  throw Error(ENOTSUP, "network '" + network + "': this version serves the embedded local network only "
                       "(--network local or local:DIR)");
}

}  // namespace

std::unique_ptr<network::Network> ConsumerContext::open_network() const {
  return network::open_local_network(local_directory(network));
}

std::unique_ptr<network::Network> ConsumerContext::open_existing_network() const {
  const auto dir = local_directory(network);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return nullptr;
  return network::open_local_network(dir);
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
