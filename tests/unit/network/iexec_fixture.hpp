// The iExec network against the real local peers (tests/peers: anvil with PoCo 6.1.0 and a DataProtector, js-ipfs,
// the SMS and market stand-ins). Tests that need them read the peers.env that tests/peers/start.sh writes, named by
// $PFS_PEERS_ENV; without it they report "SKIPPED" (a warning) and check nothing.
#pragma once
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "contract_network.hpp"
#include "network/iexec/http_client.hpp"
#include "network/iexec/json_rpc.hpp"
#include "protectedfs/network/iexec_network.hpp"

namespace pfs::test {

class IexecPeers {
 public:
  // nullopt when $PFS_PEERS_ENV is not set (the caller skips).
  static std::optional<IexecPeers> from_environment() {
    const char* path = std::getenv("PFS_PEERS_ENV");
    if (path == nullptr || *path == '\0') return std::nullopt;
    return IexecPeers(path);
  }

  const std::string& get(const std::string& key) const {
    auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("peers.env has no " + key);
    return it->second;
  }
  crypto::Address address(const std::string& key) const { return crypto::Address::parse(get(key)); }
  crypto::PrivateKey key(const std::string& role) const {
    return crypto::PrivateKey::from_hex(get("PFS_" + role + "_KEY"));
  }

  // The profile of the peers, as a config file's [networks.peers] gives it (task_timeout 0: no worker runs tasks).
  network::Profile profile() const {
    network::Profile p;
    p.name = "peers";
    p.chain_id = std::stoull(get("PFS_CHAIN_ID"));
    p.rpc = get("PFS_RPC");
    p.hub = address("PFS_HUB");
    p.dataset_registry = address("PFS_DATASET_REGISTRY");
    p.dataprotector = address("PFS_DATAPROTECTOR");
    p.ipfs_api = get("PFS_IPFS_API");
    p.ipfs_gateway = get("PFS_IPFS_GATEWAY");
    p.sms = get("PFS_SMS");
    p.market = get("PFS_MARKET");
    p.log_start_block = 0;
    p.order_tag[31] = 0x09;
    p.task_timeout = std::chrono::seconds(0);
    p.tx_timeout = std::chrono::seconds(60);
    p.request_timeout = std::chrono::seconds(30);
    return p;
  }

  std::unique_ptr<network::Network> open() const { return network::open_iexec_network(profile()); }

  // Sets an account's ETH balance (anvil's cheat code): fresh wallets can pay gas without a faucet transaction.
  void give_eth(const crypto::Address& account) const {
    network::iexec::JsonRpc rpc(std::make_shared<network::iexec::HttpClient>(), get("PFS_RPC"));
    rpc.call("anvil_setBalance", nlohmann::json::array({account.to_lowercase(), "0x3635c9adc5dea00000"}));  // 1000 ETH
  }

  // A funded wallet.
  crypto::PrivateKey new_wallet() const {
    auto key = crypto::PrivateKey::generate();
    give_eth(key.address());
    return key;
  }

  NetworkUnderTest under_test() const {
    return {[this] { return open(); }, [this] { return new_wallet(); }};
  }

 private:
  explicit IexecPeers(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read PFS_PEERS_ENV=" + path);
    std::string line;
    while (std::getline(in, line)) {
      const auto eq = line.find('=');
      if (eq != std::string::npos && line[0] != '#') env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }

  std::map<std::string, std::string> env_;
};

}  // namespace pfs::test

// Skips the rest of a TEST_CASE when the peers are not there: reported, not passed silently. In CI ($CI set to
// "true", as .ci/run and CI services set it) missing peers fail the test: a peer that could not start must not
// turn the iExec tests into passes.
inline bool pfs_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}
#define PFS_REQUIRE_PEERS(peers)                                                                                 \
  auto peers##_maybe = ::pfs::test::IexecPeers::from_environment();                                              \
  if (!peers##_maybe) {                                                                                          \
    if (pfs_in_ci()) FAIL("the iExec peers are not running (PFS_PEERS_ENV unset) and CI=true: a failure in CI"); \
    WARN("SKIPPED: set PFS_PEERS_ENV to the peers.env of tests/peers/start.sh to run this test");                \
    return;                                                                                                      \
  }                                                                                                              \
  const ::pfs::test::IexecPeers& peers = *peers##_maybe
