// The embedded `local` network (SPEC.md §6): storage, registry, secret store, grant book, accounts and an iApp
// runner in one directory, following iExec's rules (CIDv0 content addresses, one registration per (owner, name,
// multiaddr, checksum), secrets pushed once by the dataset's owner with the SMS's signed challenge, grants as
// EIP-712 DatasetOrders verified against the dataset's current owner, PoCo's volumes and prices in nRLC) so that
// everything can be tried offline. Several daemons and commands, of several wallets, may use one directory at
// once; a crash at any point leaves it readable and consistent. The layout is in src/network/local/directory.hpp.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protectedfs/network/network.hpp"

namespace pfs::network {

// The local network's chain id: 0xffff, outside the ids of iExec's chains (134 Bellecour, 42161 Arbitrum One,
// 421614 Arbitrum Sepolia) and of dev chains (1337, 31337), so that nothing signed for it is valid elsewhere.
inline constexpr uint64_t kLocalChainId = 65535;
inline constexpr std::string_view kLocalNetworkName = "local";

// The local hub (the verifyingContract of the local domain): the last 20 bytes of keccak256("protectedfs local
// hub") = 0x39F2b456a797c9f227c1592A5d155722b355360d. Fixed forever, nobody's key, no contract anywhere.
crypto::Address local_hub_address();
// The EIP-712 domain of local orders: {"iExecODB", "5.0.0", kLocalChainId, local_hub_address()}.
crypto::Eip712Domain local_order_domain();

// The faucet's default gift (`protectedfs wallet faucet`): 10 RLC, in nRLC (1 RLC = 10^9 nRLC).
inline constexpr uint64_t kLocalFaucetAmount = 10'000'000'000;

// Opens (creating its layout on first use) the local network kept in `dir`.
std::unique_ptr<Network> open_local_network(const std::filesystem::path& dir);

namespace local {

class Directory;  // src/network/local/directory.hpp

// The SMS stand-in. push() does what a client does (signs the challenge with the owner's key) and hands the
// request to receive(), which does what the SMS does (recovers the signer, compares it with the registry's owner).
class LocalSecretStore final : public SecretStore {
 public:
  explicit LocalSecretStore(std::shared_ptr<Directory> dir);

  void push(const crypto::PrivateKey& owner, const crypto::Address& dataset, const std::string& secret) override;
  bool exists(const crypto::Address& dataset) override;

  // The server side of POST /secrets/web3?secretAddress=<dataset> with this Authorization header and body:
  // EINVAL over 4096 bytes (413), EACCES unless the signer owns the registered dataset (401), EEXIST if a secret
  // is already stored (409).
  void receive(std::string_view authorization, const crypto::Address& dataset, const std::string& secret);

  // What the TEE is given for a task on the dataset: for the local iApp runner only, never for a user command.
  std::optional<std::string> read_for_enclave(const crypto::Address& dataset);

  // The web2 secret iexec-result-encryption-public-key of a wallet (secrets/<0xaddr>.result-key): a PEM public key
  // (EINVAL otherwise), replaced when pushed again. Public keys only: the post-compute reads it with
  // read_result_key().
  void push_result_key(const crypto::PrivateKey& requester, const std::string& public_key_pem) override;
  bool result_key_exists(const crypto::Address& requester) override;
  std::optional<std::string> read_result_key(const crypto::Address& requester);

 private:
  std::shared_ptr<Directory> dir_;
};

}  // namespace local
}  // namespace pfs::network
