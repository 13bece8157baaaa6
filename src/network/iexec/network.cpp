#include "network/iexec/chain_compute.hpp"
#include "network/iexec/chain_registry.hpp"
#include "network/iexec/context.hpp"
#include "network/iexec/ipfs_store.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/market_grant_book.hpp"
#include "network/iexec/sms_secret_store.hpp"
#include "protectedfs/network/iexec_network.hpp"

namespace pfs::network {

std::unique_ptr<Network> open_iexec_network(const Profile& profile) {
  auto context = std::make_shared<iexec::Context>(profile);
  auto market = std::make_shared<iexec::MarketClient>(context);
  auto network = std::make_unique<Network>();
  network->name = profile.name;
  network->chain_id = profile.chain_id;
  network->storage = std::make_unique<iexec::IpfsContentStore>(context);
  network->registry = std::make_unique<iexec::ChainRegistry>(context);
  network->secrets = std::make_unique<iexec::SmsSecretStore>(context);
  network->grants = std::make_unique<iexec::MarketGrantBook>(context, market);
  network->compute = std::make_unique<iexec::ChainCompute>(context, market);
  return network;
}

}  // namespace pfs::network
