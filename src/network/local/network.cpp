#include "protectedfs/network/local_network.hpp"

#include "network/local/content_store.hpp"
#include "network/local/directory.hpp"
#include "network/local/registry.hpp"

namespace pfs::network {

std::unique_ptr<Network> open_local_network(const std::filesystem::path& dir) {
  // One Directory (one LOCK descriptor and its mutex) shared by the three services of this handle.
  auto directory = std::make_shared<local::Directory>(dir);
  auto network = std::make_unique<Network>();
  network->name = std::string(kLocalNetworkName);
  network->chain_id = kLocalChainId;
  network->storage = std::make_unique<local::LocalContentStore>(directory);
  network->registry = std::make_unique<local::LocalRegistry>(directory);
  network->secrets = std::make_unique<local::LocalSecretStore>(directory);
  return network;
}

}  // namespace pfs::network
