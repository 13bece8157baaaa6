#include "protectedfs/network/local_network.hpp"

#include "network/local/compute.hpp"
#include "network/local/content_store.hpp"
#include "network/local/directory.hpp"
#include "network/local/grant_book.hpp"
#include "network/local/ledger.hpp"
#include "network/local/registry.hpp"

namespace pfs::network {

std::unique_ptr<Network> open_local_network(const std::filesystem::path& dir) {
  // One Directory (one LOCK descriptor and its mutex) shared by the services of this handle, and one Ledger (the
  // parsed grant book and accounts) shared by the grant book and the runner.
  auto directory = std::make_shared<local::Directory>(dir);
  auto ledger = std::make_shared<local::Ledger>(directory);
  auto network = std::make_unique<Network>();
  network->name = std::string(kLocalNetworkName);
  network->chain_id = kLocalChainId;
  network->storage = std::make_unique<local::LocalContentStore>(directory);
  network->registry = std::make_unique<local::LocalRegistry>(directory);
  network->secrets = std::make_unique<local::LocalSecretStore>(directory);
  network->grants = std::make_unique<local::LocalGrantBook>(directory, ledger);
  network->compute = std::make_unique<local::LocalCompute>(directory, ledger);
  network->accounted_runs = directory->tasks();
  return network;
}

}  // namespace pfs::network
