// Network profiles: the built-in iExec networks (PROTOCOL.md §6) and the config file's [networks.NAME] tables
// (SPEC.md §6). The file is read strictly: a typo in a key would otherwise silently leave a built-in endpoint or
// address in place, and a publish would go to a network the user did not mean.
#include <toml++/toml.h>

#include <map>

#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network {
namespace {

Hash32 tag_09() {
  Hash32 tag{};
  tag[31] = 0x09;  // TEE + TDX: the tag of the current iExec stack (PROTOCOL.md §4)
  return tag;
}

Profile arbitrum_mainnet() {
  Profile p;
  p.name = "arbitrum-mainnet";
  p.chain_id = 42161;
  p.rpc = "https://arb1.arbitrum.io/rpc";
  p.hub = crypto::Address::parse("0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0");
  p.dataset_registry = crypto::Address::parse("0x07Cc4E1EA30dD02796795876509A3BfC5053128D");
  p.dataprotector = crypto::Address::parse("0xF08f91F7646FDb95a4E24977b8Db91318252A667");
  p.ipfs_api = "https://ipfs-upload.arbitrum-mainnet.iex.ec";
  p.ipfs_gateway = "https://ipfs-gateway.arbitrum-mainnet.iex.ec";
  p.sms = "https://sms.arbitrum-mainnet.iex.ec";
  p.market = "https://api.market.arbitrum-mainnet.iex.ec";
  p.log_start_block = 363889786;
  p.order_tag = tag_09();
  return p;
}

Profile arbitrum_sepolia() {
  Profile p;
  p.name = "arbitrum-sepolia-testnet";
  p.chain_id = 421614;
  p.rpc = "https://sepolia-rollup.arbitrum.io/rpc";
  p.hub = crypto::Address::parse("0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  p.dataset_registry = crypto::Address::parse("0x07Cc4E1EA30dD02796795876509A3BfC5053128D");
  p.dataprotector = crypto::Address::parse("0x168eAF6C33a77E3caD9db892452f51a5D91df621");
  p.ipfs_api = "https://ipfs-upload.arbitrum-sepolia-testnet.iex.ec";
  p.ipfs_gateway = "https://ipfs-gateway.arbitrum-sepolia-testnet.iex.ec";
  p.sms = "https://sms.arbitrum-sepolia-testnet.iex.ec";
  p.market = "https://api-market.arbitrum-sepolia-testnet.iex.ec";
  p.log_start_block = 178344897;
  p.order_tag = tag_09();
  return p;
}

// ---- reading one [networks.NAME] table ----

struct Where {
  std::string file;
  std::string table;  // "networks.devchain"
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw Error(EINVAL, "config " + file + ": " + table + "." + key + ": " + problem);
  }
};

// One key's value in a profile table, read as the type the key wants; errors name the key and the file.
struct Field {
  const toml::node& node;
  const Where& where;
  const std::string& key;

  [[noreturn]] void fail(const std::string& problem) const { where.fail(key, problem); }

  uint64_t integer(uint64_t min) const {
    auto value = node.value_exact<int64_t>();
    if (!value) fail("must be an integer");
    if (*value < 0 || static_cast<uint64_t>(*value) < min)
      fail("must be at least " + std::to_string(min) + ", not " + std::to_string(*value));
    return static_cast<uint64_t>(*value);
  }

  std::chrono::seconds seconds(uint64_t min) const { return std::chrono::seconds(integer(min)); }

  std::string text() const {
    auto value = node.value_exact<std::string>();
    if (!value) fail("must be a string");
    return *value;
  }

  std::string url() const {
    std::string value = text();
    const auto scheme = value.find("://");
    const std::string prefix = scheme == std::string::npos ? "" : value.substr(0, scheme);
    if ((prefix != "http" && prefix != "https") || value.size() == scheme + 3)
      fail("must be an http:// or https:// URL, not \"" + value + "\"");
    for (char c : value)
      if (static_cast<unsigned char>(c) <= ' ') fail("a URL has no spaces or control characters");
    return value;
  }

  crypto::Address address() const {
    const std::string value = text();
    try {
      return crypto::Address::parse(value);
    } catch (const Error& e) {
      fail(e.what());
    }
  }

  Hash32 bytes32() const {
    const std::string value = text();
    try {
      if (!value.starts_with("0x")) throw Error(EINVAL, "must start with 0x");
      return from_hex_fixed<32>(value);
    } catch (const Error& e) {
      fail(std::string("must be 0x and 64 hex digits: ") + e.what());
    }
  }
};

using Setter = void (*)(Profile&, const Field&);

// Every key a profile table may hold (SPEC.md §6, plus the tuning keys of Profile).
const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"chain_id", [](Profile& p, const Field& f) { p.chain_id = f.integer(1); }},
      {"rpc", [](Profile& p, const Field& f) { p.rpc = f.url(); }},
      {"hub", [](Profile& p, const Field& f) { p.hub = f.address(); }},
      {"dataset_registry", [](Profile& p, const Field& f) { p.dataset_registry = f.address(); }},
      {"dataprotector", [](Profile& p, const Field& f) { p.dataprotector = f.address(); }},
      {"ipfs_api", [](Profile& p, const Field& f) { p.ipfs_api = f.url(); }},
      {"ipfs_gateway", [](Profile& p, const Field& f) { p.ipfs_gateway = f.url(); }},
      {"sms", [](Profile& p, const Field& f) { p.sms = f.url(); }},
      {"market", [](Profile& p, const Field& f) { p.market = f.url(); }},
      {"log_start_block", [](Profile& p, const Field& f) { p.log_start_block = f.integer(0); }},
      {"order_tag", [](Profile& p, const Field& f) { p.order_tag = f.bytes32(); }},
      {"request_timeout", [](Profile& p, const Field& f) { p.request_timeout = f.seconds(1); }},
      {"tx_timeout", [](Profile& p, const Field& f) { p.tx_timeout = f.seconds(1); }},
      {"task_timeout", [](Profile& p, const Field& f) { p.task_timeout = f.seconds(0); }},
      {"log_block_range", [](Profile& p, const Field& f) { p.log_block_range = f.integer(0); }},
      {"workerpool", [](Profile& p, const Field& f) { p.workerpool = f.address(); }},
  };
  return table;
}

// Keys a profile defined only in the file must give (a built-in one has them all already).
constexpr const char* kRequired[] = {"chain_id", "rpc",          "hub", "dataprotector",
                                     "ipfs_api", "ipfs_gateway", "sms", "market"};

bool is_reserved_name(const std::string& name) { return name == "local" || name.starts_with("local:"); }

// Applies (or, with profile = nullptr, only checks) one [networks.NAME] table.
void apply(const toml::table& table, const Where& where, Profile* profile) {
  Profile scratch;
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    auto setter = setters().find(k);
    if (setter == setters().end()) where.fail(k, "unknown key");
    setter->second(profile ? *profile : scratch, Field{node, where, k});
  }
}

struct ConfigFile {
  toml::table root;
  bool present = false;
};

// Parses the file and checks every part of it (so a mistake in any profile is reported, whichever is used).
ConfigFile read_config(const std::filesystem::path& path) {
  ConfigFile out;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return out;
  const std::string file = path.string();
  try {
    out.root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    throw Error(EINVAL,
                "config " + file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  out.present = true;
  for (const auto& [key, node] : out.root) {
    const std::string k(key.str());
    if (k == "default_network") {
      if (!node.is_string()) throw Error(EINVAL, "config " + file + ": default_network must be a string");
    } else if (k == "networks") {
      const toml::table* networks = node.as_table();
      if (!networks) throw Error(EINVAL, "config " + file + ": networks must be a table ([networks.NAME])");
      for (const auto& [name, profile] : *networks) {
        const std::string n(name.str());
        const Where where{file, "networks." + n};
        if (is_reserved_name(n))
          throw Error(EINVAL, "config " + file + ": [networks." + n + "]: \"local\" names the embedded network");
        const toml::table* table = profile.as_table();
        if (!table) throw Error(EINVAL, "config " + file + ": networks." + n + " must be a table");
        apply(*table, where, nullptr);
        if (!builtin_profile(n))
          for (const char* required : kRequired)
            if (!table->contains(required))
              where.fail(required, "missing (required for a network that is not built in)");
      }
    } else {
      throw Error(EINVAL, "config " + file + ": unknown key " + k);
    }
  }
  return out;
}

}  // namespace

std::optional<Profile> builtin_profile(const std::string& name) {
  if (name == "arbitrum-mainnet") return arbitrum_mainnet();
  if (name == "arbitrum-sepolia-testnet") return arbitrum_sepolia();
  return std::nullopt;
}

std::vector<std::string> builtin_profile_names() { return {"arbitrum-mainnet", "arbitrum-sepolia-testnet"}; }

Profile load_profile(const std::string& name, const std::filesystem::path& config_path) {
  const ConfigFile config = read_config(config_path);
  std::optional<Profile> profile = builtin_profile(name);
  const toml::table* table = nullptr;
  if (config.present)
    if (const toml::table* networks = config.root["networks"].as_table()) table = (*networks)[name].as_table();
  if (!profile && !table)
    throw Error(ENOENT, "unknown network \"" + name + "\": not local, not built in (" + builtin_profile_names()[0] +
                            ", " + builtin_profile_names()[1] + "), and no [networks." + name + "] in " +
                            config_path.string());
  if (!table) return *profile;

  const Where where{config_path.string(), "networks." + name};
  if (!profile) {  // read_config checked that it has every required key
    profile = Profile{};
    profile->order_tag = tag_09();  // unless the table says otherwise
  }
  profile->name = name;
  apply(*table, where, &*profile);
  return *profile;
}

std::optional<std::string> configured_default_network(const std::filesystem::path& config_path) {
  const ConfigFile config = read_config(config_path);
  if (!config.present) return std::nullopt;
  if (auto value = config.root["default_network"].value<std::string>()) return *value;
  return std::nullopt;
}

}  // namespace pfs::network
