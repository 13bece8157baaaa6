#include "protectedfs/network/open_network.hpp"

#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/paths.hpp"

namespace pfs::network {

std::filesystem::path default_config_path() { return user_config_directory() / "config.toml"; }

std::filesystem::path default_local_network_dir() { return user_data_directory() / "local"; }

std::unique_ptr<Network> open_network(const std::string& name) { return open_network(name, default_config_path()); }

std::unique_ptr<Network> open_network(const std::string& requested, const std::filesystem::path& config_path) {
  std::string name = requested;
  if (name.empty()) name = configured_default_network(config_path).value_or(std::string(kLocalNetworkName));
  if (name == kLocalNetworkName) return open_local_network(default_local_network_dir());
  if (name.starts_with("local:")) {
    const std::string dir = name.substr(6);
    if (dir.empty()) throw Error(EINVAL, "network local: needs a directory (local:DIR)");
    return open_local_network(dir);
  }
  return open_iexec_network(load_profile(name, config_path));
}

}  // namespace pfs::network
