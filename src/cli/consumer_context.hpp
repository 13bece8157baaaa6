// What the commands that talk to a network share (SPEC.md §1): `--network` (local, local:DIR, an iExec network or
// a profile of the config file; default: the config's default_network, else local), `--wallet` and
// `--password-file` (else $PROTECTEDFS_PASSWORD, else a prompt on a terminal).
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/password.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::cli {

struct ConsumerContext {
  std::string network;  // empty: the config file's default_network, else local
  std::string wallet;   // empty: $XDG_DATA_HOME/protectedfs/wallet.json
  PasswordSource password;

  void add_network_flag(CLI::App* command);
  // --wallet, and --password-file when the command signs.
  void add_wallet_flags(CLI::App* command, bool signs);

  // network::open_network(): local → $XDG_DATA_HOME/protectedfs/local, local:DIR → DIR (the layout created on
  // first use), anything else an iExec network or profile.
  std::unique_ptr<network::Network> open_network() const;
  // For commands that only read: nullptr when the chosen network is a local one whose directory does not exist yet
  // (nothing is there, and a read must not create it).
  std::unique_ptr<network::Network> open_existing_network() const;
  std::filesystem::path wallet_path() const;
  // The wallet's address, read without its password.
  crypto::Address wallet_address() const;
  // The wallet's key: asks for the password (EINVAL for a wrong one).
  crypto::PrivateKey unlock() const;
};

// "smtp.port:f64" checked and normalized (find's and run --bulk's --schema): every path component a field key, the
// type one the schema knows; EINVAL otherwise.
std::string required_schema_field(const std::string& text);

}  // namespace pfs::cli
