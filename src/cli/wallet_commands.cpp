// `protectedfs wallet create | import FILE | show`: the Ethereum keystore v3 that signs for the user.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/user_paths.hpp"
#include "cli/wallet_file.hpp"
#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {
namespace {

struct WalletArgs {
  std::string wallet;
  PasswordSource password;
  std::string import_file;
};

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

void run_import(const WalletArgs& args) {
  const std::string keystore = read_wallet_text(args.import_file);
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
  const auto path = wallet_path(args);
  const auto address = crypto::keystore_address(read_wallet_text(path));
  if (!address) throw Error(EINVAL, path.string() + " has no address field: not a keystore v3 wallet");
  print_wallet(*address, path);
}

}  // namespace

void add_wallet_commands(CLI::App& app) {
  static WalletArgs args;
  auto* wallet = app.add_subcommand("wallet", "Create, import or show the keystore v3 wallet");
  wallet->require_subcommand(1);
  auto common = [](CLI::App* command) {
    command->add_option("--wallet", args.wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
    command->add_option("--password-file", args.password.file, "read the password from this file");
  };
  auto* create = wallet->add_subcommand("create", "Make a new wallet (keystore v3, scrypt)");
  common(create);
  create->callback([] { run_create(args); });
  auto* import = wallet->add_subcommand("import", "Import a keystore v3 file (geth, MetaMask, iexec SDK)");
  import->add_option("FILE", args.import_file, "keystore v3 JSON file")->required();
  common(import);
  import->callback([] { run_import(args); });
  auto* show = wallet->add_subcommand("show", "Print the wallet's address");
  show->add_option("--wallet", args.wallet, "keystore file (default $XDG_DATA_HOME/protectedfs/wallet.json)");
  show->callback([] { run_show(args); });
}

}  // namespace pfs::cli
