// A local network in a fresh directory under /tmp, removed at the end of the test.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "contract_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "temp_dir.hpp"

namespace pfs::test {

struct LocalNetworkDir {
  TempDir scratch;
  std::filesystem::path path = scratch.path / "local";  // does not exist yet: first use creates it

  std::unique_ptr<network::Network> open() const { return network::open_local_network(path); }

  NetworkUnderTest under_test() const {
    return {[this] { return open(); }, [] { return crypto::PrivateKey::generate(); }};
  }
};

// The local implementation of the SMS, with its local-only methods.
inline network::local::LocalSecretStore& local_secrets(network::Network& net) {
  return dynamic_cast<network::local::LocalSecretStore&>(*net.secrets);
}

}  // namespace pfs::test
