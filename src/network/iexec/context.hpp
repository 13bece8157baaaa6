// What the five iExec services of one Network share: the profile, one HTTP client (one connection pool), the chain
// reader, the transaction sender (one nonce tracker per wallet for the whole handle), and the facts read once from
// the chain (registry address, its CREATE2 code hash, the hub's EIP-712 domain).
#pragma once
#include <memory>
#include <optional>

#include "network/iexec/chain.hpp"
#include "network/iexec/http_client.hpp"
#include "network/iexec/json_rpc.hpp"
#include "network/iexec/tx_sender.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::network::iexec {

class Context {
 public:
  explicit Context(Profile profile);

  const Profile& profile() const { return profile_; }
  HttpClient& http() { return *http_; }
  Chain& chain() { return *chain_; }
  TransactionSender& sender() { return *sender_; }

  crypto::Address dataset_registry();  // the profile's, else hub.datasetregistry()
  crypto::Address app_registry();      // hub.appregistry()
  Hash32 proxy_code_hash();            // DatasetRegistry.proxyCodeHash(): the CREATE2 init code hash
  crypto::Eip712Domain domain();       // hub.domain(), checked against the profile's chain id and hub

 private:
  Profile profile_;
  std::shared_ptr<HttpClient> http_;
  std::shared_ptr<Chain> chain_;
  std::shared_ptr<TransactionSender> sender_;
  Mutex mutex_;
  std::optional<crypto::Address> dataset_registry_ PFS_GUARDED_BY(mutex_);
  std::optional<crypto::Address> app_registry_ PFS_GUARDED_BY(mutex_);
  std::optional<Hash32> proxy_code_hash_ PFS_GUARDED_BY(mutex_);
  std::optional<crypto::Eip712Domain> domain_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::network::iexec
