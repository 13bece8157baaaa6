// Network profiles: the built-in iExec networks (PROTOCOL.md §6), the config file's overrides and new profiles
// (SPEC.md §6), its strictness (unknown keys and malformed values name the key and the file), and open_network's
// choice between the local network and an iExec one.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "local_fixture.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/network/open_network.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
using crypto::Address;

namespace {

// A config file in a fresh folder, removed at the end.
struct ConfigFile {
  test::TempDir dir;
  std::filesystem::path path = dir.path / "config.toml";
  explicit ConfigFile(const std::string& text) { std::ofstream(path) << text; }
};

// The message of the pfs::Error that `action` throws (and its errno).
template <class F>
std::pair<int, std::string> failure(F&& action) {
  try {
    action();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {0, ""};
}

const char* kDevchain = R"(
default_network = "devchain"
[networks.devchain]
chain_id = 31337
rpc = "http://127.0.0.1:8545"
hub = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
dataprotector = "0x70e0bA845a1A0F2DA3359C97E0285013525FFC49"
ipfs_api = "http://127.0.0.1:5001"
ipfs_gateway = "http://127.0.0.1:8080"
sms = "http://127.0.0.1:13300"
market = "http://127.0.0.1:3000"
log_start_block = 0
order_tag = "0x0000000000000000000000000000000000000000000000000000000000000009"
)";

}  // namespace

TEST_CASE("profiles: the two built-in iExec networks carry PROTOCOL.md §6's endpoints and addresses",
          "[network][iexec]") {
  CHECK(builtin_profile_names() == std::vector<std::string>{"arbitrum-mainnet", "arbitrum-sepolia-testnet"});
  const Profile one = *builtin_profile("arbitrum-mainnet");
  CHECK(one.chain_id == 42161);
  CHECK(one.rpc == "https://arb1.arbitrum.io/rpc");
  CHECK(one.hub.to_string() == "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0");
  CHECK(one.dataprotector.to_string() == "0xF08f91F7646FDb95a4E24977b8Db91318252A667");
  REQUIRE(one.dataset_registry);
  CHECK(one.dataset_registry->to_string() == "0x07Cc4E1EA30dD02796795876509A3BfC5053128D");
  CHECK(one.sms == "https://sms.arbitrum-mainnet.iex.ec");
  CHECK(one.market == "https://api.market.arbitrum-mainnet.iex.ec");
  CHECK(one.ipfs_api == "https://ipfs-upload.arbitrum-mainnet.iex.ec");
  CHECK(one.ipfs_gateway == "https://ipfs-gateway.arbitrum-mainnet.iex.ec");
  CHECK(one.log_start_block == 363889786);
  CHECK(to_hex0x(one.order_tag) == "0x0000000000000000000000000000000000000000000000000000000000000009");

  const Profile sepolia = *builtin_profile("arbitrum-sepolia-testnet");
  CHECK(sepolia.chain_id == 421614);
  CHECK(sepolia.rpc == "https://sepolia-rollup.arbitrum.io/rpc");
  CHECK(sepolia.hub.to_string() == "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  CHECK(sepolia.dataprotector.to_string() == "0x168eAF6C33a77E3caD9db892452f51a5D91df621");
  CHECK(sepolia.dataset_registry == one.dataset_registry);
  CHECK(sepolia.sms == "https://sms.arbitrum-sepolia-testnet.iex.ec");
  CHECK(sepolia.market == "https://api-market.arbitrum-sepolia-testnet.iex.ec");
  CHECK(sepolia.ipfs_api == "https://ipfs-upload.arbitrum-sepolia-testnet.iex.ec");
  CHECK(sepolia.ipfs_gateway == "https://ipfs-gateway.arbitrum-sepolia-testnet.iex.ec");
  CHECK(sepolia.log_start_block == 178344897);
  CHECK(sepolia.order_tag == one.order_tag);

  CHECK_FALSE(builtin_profile("local"));
  CHECK_FALSE(builtin_profile("arbitrum"));
}

TEST_CASE("profiles: without a config file the built-ins load, an unknown name is ENOENT", "[network][iexec]") {
  test::TempDir dir;
  const auto missing = dir.path / "no-such-config.toml";
  CHECK(load_profile("arbitrum-sepolia-testnet", missing).chain_id == 421614);
  CHECK_FALSE(configured_default_network(missing));
  const auto [code, message] = failure([&] { load_profile("devchain", missing); });
  CHECK(code == ENOENT);
  CHECK(message.find("devchain") != std::string::npos);
}

TEST_CASE("profiles: the config file overrides a built-in key by key and defines new networks", "[network][iexec]") {
  ConfigFile config(std::string(kDevchain) + R"(
[networks.arbitrum-sepolia-testnet]
rpc = "https://my-node.example/rpc"
log_start_block = 200000000
tx_timeout = 30
)");
  const Profile sepolia = load_profile("arbitrum-sepolia-testnet", config.path);
  CHECK(sepolia.name == "arbitrum-sepolia-testnet");
  CHECK(sepolia.rpc == "https://my-node.example/rpc");
  CHECK(sepolia.log_start_block == 200000000);
  CHECK(sepolia.tx_timeout == std::chrono::seconds(30));
  CHECK(sepolia.chain_id == 421614);  // everything else stays built in
  CHECK(sepolia.hub == builtin_profile("arbitrum-sepolia-testnet")->hub);
  CHECK(load_profile("arbitrum-mainnet", config.path).rpc == "https://arb1.arbitrum.io/rpc");

  const Profile dev = load_profile("devchain", config.path);
  CHECK(dev.name == "devchain");
  CHECK(dev.chain_id == 31337);
  CHECK(dev.rpc == "http://127.0.0.1:8545");
  CHECK(dev.hub.to_string() == "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9");
  CHECK_FALSE(dev.dataset_registry);  // read from the hub
  CHECK(dev.market == "http://127.0.0.1:3000");
  CHECK(dev.order_tag[31] == 0x09);
  CHECK(configured_default_network(config.path) == "devchain");
}

TEST_CASE("profiles: an unknown key, a malformed value or a missing required key is EINVAL naming key and file",
          "[network][iexec]") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[networks.arbitrum-mainnet]\nrcp = \"https://x.example\"\n", "networks.arbitrum-mainnet.rcp"},
      {"[networks.arbitrum-mainnet]\nchain_id = \"42161\"\n", "networks.arbitrum-mainnet.chain_id"},
      {"[networks.arbitrum-mainnet]\nchain_id = 0\n", "networks.arbitrum-mainnet.chain_id"},
      {"[networks.arbitrum-mainnet]\nhub = \"0x098bfcb1e50ebca0baa92c12ea0c3f045a1ad9F0\"\n",
       "networks.arbitrum-mainnet.hub"},
      {"[networks.arbitrum-mainnet]\nhub = \"0x1234\"\n", "networks.arbitrum-mainnet.hub"},
      {"[networks.arbitrum-mainnet]\nrpc = \"ftp://x.example\"\n", "networks.arbitrum-mainnet.rpc"},
      {"[networks.arbitrum-mainnet]\nsms = \"https://a b\"\n", "networks.arbitrum-mainnet.sms"},
      {"[networks.arbitrum-mainnet]\norder_tag = \"0x09\"\n", "networks.arbitrum-mainnet.order_tag"},
      {"[networks.arbitrum-mainnet]\nlog_start_block = -1\n", "networks.arbitrum-mainnet.log_start_block"},
      {"[networks.arbitrum-mainnet]\ntask_timeout = 1.5\n", "networks.arbitrum-mainnet.task_timeout"},
      {"[networks.other]\nchain_id = 1\nrpc = \"http://x\"\n", "networks.other.hub"},  // incomplete, and not even used
      {"default_network = 3\n", "default_network"},
      {"defaultnetwork = \"local\"\n", "defaultnetwork"},
      {"networks = 3\n", "networks"},
      {"[networks.local]\nchain_id = 1\n", "networks.local"},
      {"[networks.arbitrum-mainnet\n", "config"},  // not TOML
  };
  for (const auto& [text, key] : bad) {
    INFO(text);
    ConfigFile config(text);
    const auto [code, message] = failure([&] { load_profile("arbitrum-mainnet", config.path); });
    CHECK(code == EINVAL);
    CHECK(message.find(key) != std::string::npos);
    CHECK(message.find(config.path.string()) != std::string::npos);
  }
  // The incomplete profile itself names its first missing key.
  ConfigFile incomplete("[networks.other]\nchain_id = 1\nrpc = \"http://x\"\n");
  CHECK(failure([&] { load_profile("other", incomplete.path); }).second.find("networks.other.hub") !=
        std::string::npos);
}

TEST_CASE("open_network: local, local:DIR, iExec profiles, the config's default", "[network][iexec]") {
  ConfigFile config(kDevchain);
  const auto dir = config.dir.path;

  auto local = open_network("local:" + dir.string(), config.path);
  CHECK(local->name == "local");
  CHECK(local->chain_id == kLocalChainId);
  CHECK(std::filesystem::is_directory(dir));

  // Opening an iExec network contacts nothing: the devchain's endpoints are not there, and that is fine until used.
  auto dev = open_network("devchain", config.path);
  CHECK(dev->name == "devchain");
  CHECK(dev->chain_id == 31337);
  auto by_default = open_network("", config.path);
  CHECK(by_default->name == "devchain");
  auto sepolia = open_network("arbitrum-sepolia-testnet", config.path);
  CHECK(sepolia->chain_id == 421614);

  CHECK(test::errno_of([&] { open_network("local:", config.path); }) == EINVAL);
  CHECK(test::errno_of([&] { open_network("nowhere", config.path); }) == ENOENT);

  // With no default in the file (or no file), the default is the local network.
  ConfigFile plain("");
  const char* saved = std::getenv("XDG_DATA_HOME");
  const std::string saved_value = saved ? saved : "";
  ::setenv("XDG_DATA_HOME", dir.string().c_str(), 1);
  CHECK(default_local_network_dir() == dir / "protectedfs" / "local");
  auto fallback = open_network("", plain.path);
  CHECK(fallback->name == "local");
  CHECK(std::filesystem::is_directory(dir / "protectedfs" / "local"));
  if (saved) {
    ::setenv("XDG_DATA_HOME", saved_value.c_str(), 1);
  } else {
    ::unsetenv("XDG_DATA_HOME");
  }
  ::setenv("XDG_CONFIG_HOME", "/tmp/pfs-xdg-config", 1);
  CHECK(default_config_path() == "/tmp/pfs-xdg-config/protectedfs/config.toml");
  ::unsetenv("XDG_CONFIG_HOME");
}
