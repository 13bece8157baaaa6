// `protectedfs wallet create | import FILE | show | faucet [AMOUNT]`: the Ethereum keystore v3 that signs for the
// user, and its balance on a network (the local network's faucet funds it for trials).
#include <cctype>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "cli/password.hpp"
#include "cli/user_paths.hpp"
#include "cli/wallet_file.hpp"
#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {
namespace {

struct WalletArgs {
  std::string wallet;
  PasswordSource password;
  std::string import_file;
  std::string network;  // empty: the config file's default_network, else local
  std::string amount;

  // show and faucet read the address without the password.
  ConsumerContext context() const { return {network, wallet, password}; }
};

void print_balance(const std::string& network_name, uint64_t nrlc) {
  std::cout << "balance " << core::format_rlc(nrlc) << " (" << nrlc << " nRLC) on " << network_name << std::endl;
}

std::filesystem::path wallet_path(const WalletArgs& args) {
  return args.wallet.empty() ? default_wallet_path() : std::filesystem::path(args.wallet);
}

void print_wallet(const crypto::Address& address, const std::filesystem::path& path) {
  std::cout << "address " << address.to_string() << "\nwallet  " << path.string() << std::endl;
}

void run_create(const WalletArgs& args) {
  const auto path = wallet_path(args);
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  const auto key = create_wallet(path, read_password(args.password, "Password for the new wallet: ", true));
  print_wallet(key.address(), path);
}

// A file holding only a hex private key (what MetaMask's "export private key" and dev chains such as anvil give).
std::optional<crypto::PrivateKey> raw_private_key(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  const std::string digits = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
  if (digits.size() != 64 || digits.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return std::nullopt;
  return crypto::PrivateKey::from_hex(digits);
}

void run_import(const WalletArgs& args) {
  const std::string keystore = read_wallet_text(args.import_file);
  if (auto key = raw_private_key(keystore)) {
    // Encrypted at once into a keystore v3 under the wallet's password: the key never stays in clear text here.
    const std::string password = read_password(args.password, "Password for the new wallet: ", true);
    const auto path = wallet_path(args);
    save_wallet(path, crypto::encrypt_keystore(*key, password));
    print_wallet(key->address(), path);
    return;
  }
  const std::string password = read_password(args.password, "Password of " + args.import_file + ": ");
  // Decrypting proves the file and the password before anything is saved.
  auto key = [&] {
    try {
      return crypto::decrypt_keystore(keystore, password);
    } catch (const Error& e) {
      if (e.code() == EINVAL) throw Error(EINVAL, args.import_file + ": " + e.what());
      throw;
    }
  }();
  const auto path = wallet_path(args);
  save_wallet(path, keystore);
  print_wallet(key.address(), path);
}

void run_show(const WalletArgs& args) {
  const auto address = args.context().wallet_address();
  auto net = args.context().open_existing_network();
  print_wallet(address, wallet_path(args));
  if (net) print_balance(net->name, net->compute->balance(address));
  else print_balance(std::string(network::kLocalNetworkName), 0);  // no local network yet: nothing was ever funded
}

void run_faucet(const WalletArgs& args) {
  const uint64_t amount = args.amount.empty() ? network::kLocalFaucetAmount : core::parse_nrlc(args.amount);
  const auto address = args.context().wallet_address();
  auto net = args.context().open_network();
  net->compute->fund(address, amount);  // ENOTSUP where RLC is not given away
  std::cout << "funded " << address.to_string() << " with " << core::format_rlc(amount) << "\n";
  print_balance(net->name, net->compute->balance(address));
}

}  // namespace

void add_wallet_commands(CLI::App& app) {
  static WalletArgs args;
  auto* wallet = app.add_subcommand("wallet", "Create, import or show the keystore v3 wallet; fund it locally");
  wallet->require_subcommand(1);
  auto common = [](CLI::App* command) {
    command->add_option("--wallet", args.wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
    command->add_option("--password-file", args.password.file, "read the password from this file");
  };
  auto* create = wallet->add_subcommand("create", "Make a new wallet (keystore v3, scrypt)");
  common(create);
  create->callback([] { run_create(args); });
  auto* import = wallet->add_subcommand(
      "import", "Import a keystore v3 file (geth, MetaMask, iexec SDK) or a file holding a hex private key");
  import->add_option("FILE", args.import_file, "keystore v3 JSON file")->required();
  common(import);
  import->callback([] { run_import(args);
});
auto network_flag = [](CLI::App* command) {
  command->add_option("--wallet", args.wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
  command->add_option("--network", args.network,
                      "local, local:DIR, an iExec network or a profile (default: the "
                      "config's default_network, else local)");
};
auto* show = wallet->add_subcommand("show", "Print the wallet's address and its balance on the network");
network_flag(show);
show->callback([] { run_show(args); });
auto* faucet = wallet->add_subcommand("faucet", "Local network: give the wallet RLC to try paid grants");
faucet->add_option("AMOUNT", args.amount, "nRLC, or e.g. 2.5RLC (default 10RLC)");
network_flag(faucet);
faucet->callback([] { run_faucet(args); });
}  // namespace pfs::cli

}  // namespace pfs::cli
