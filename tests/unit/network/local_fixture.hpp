// A local network in a fresh directory under /tmp, removed at the end of the test.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "contract_network.hpp"
#include "protectedfs/network/local_network.hpp"

namespace pfs::test {

struct LocalNetworkDir {
  std::filesystem::path path;

  LocalNetworkDir() {
    std::string pattern = "/tmp/pfs-network-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = std::filesystem::path(pattern) / "local";  // a directory that does not exist yet: first use creates it
  }
  ~LocalNetworkDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path.parent_path(), ignored);
  }
  LocalNetworkDir(const LocalNetworkDir&) = delete;
  LocalNetworkDir& operator=(const LocalNetworkDir&) = delete;

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
