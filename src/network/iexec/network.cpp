#include "network/iexec/chain_compute.hpp"
#include "network/iexec/chain_registry.hpp"
#include "network/iexec/context.hpp"
#include "network/iexec/ipfs_store.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/market_grant_book.hpp"
#include "network/iexec/sms_secret_store.hpp"
#include "protectedfs/network/iexec_network.hpp"

namespace pfs::network {

void MarketLogins::add(const crypto::PrivateKey& key) {
  std::lock_guard lock(mutex_);
  const crypto::Address address = key.address();
  for (const auto& k : keys_)
    if (k.address() == address) return;
  keys_.push_back(crypto::PrivateKey::from_bytes(key.secret_bytes()));
}

std::optional<crypto::PrivateKey> MarketLogins::find(const crypto::Address& signer) const {
  std::lock_guard lock(mutex_);
  for (const auto& k : keys_)
    if (k.address() == signer) return crypto::PrivateKey::from_bytes(k.secret_bytes());
  return std::nullopt;
}

std::unique_ptr<Network> open_iexec_network(const Profile& profile, std::shared_ptr<MarketLogins> logins) {
  if (!logins) logins = std::make_shared<MarketLogins>();
  auto context = std::make_shared<iexec::Context>(profile);
  auto market = std::make_shared<iexec::MarketClient>(context);
  auto network = std::make_unique<Network>();
  network->name = profile.name;
  network->chain_id = profile.chain_id;
  network->storage = std::make_unique<iexec::IpfsContentStore>(context);
  network->registry = std::make_unique<iexec::ChainRegistry>(context);
  network->secrets = std::make_unique<iexec::SmsSecretStore>(context);
  network->grants = std::make_unique<iexec::MarketGrantBook>(context, market, logins);
  network->compute = std::make_unique<iexec::ChainCompute>(context, market);
  return network;
}

void add_market_login(Network& network, const crypto::PrivateKey& key) {
  if (auto* book = dynamic_cast<iexec::MarketGrantBook*>(network.grants.get())) book->logins().add(key);
}

}  // namespace pfs::network
