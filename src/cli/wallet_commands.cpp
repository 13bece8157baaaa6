// `protectedfs wallet create | import FILE | show`: the Ethereum keystore v3 that signs for the user.
#include <fcntl.h>

#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/password.hpp"
#include "cli/user_paths.hpp"
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

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ENOENT, "cannot read " + path.string() + (std::filesystem::exists(path) ? "" : ": no such file"));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Keystores hold the private key: owner-only, written atomically, never over an existing wallet.
void save_wallet(const std::filesystem::path& path, const std::string& keystore) {
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  AtomicFile out(path, 0600);
  out.write(as_bytes(keystore));
  out.commit();
}

void print_wallet(const crypto::Address& address, const std::filesystem::path& path) {
  std::cout << "address " << address.to_string() << "\nwallet  " << path.string() << std::endl;
}

void run_create(const WalletArgs& args) {
  const auto path = wallet_path(args);
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  const std::string password = read_password(args.password, "Password for the new wallet: ", true);
  if (password.empty()) throw Error(EINVAL, "refusing an empty password");
  const auto key = crypto::PrivateKey::generate();
  save_wallet(path, crypto::encrypt_keystore(key, password));
  print_wallet(key.address(), path);
}

void run_import(const WalletArgs& args) {
  const std::string keystore = read_file(args.import_file);
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
  const auto address = crypto::keystore_address(read_file(path));
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
