#include "protectedfs/network/open_network.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network {
namespace {

// $VAR, else $HOME/<fallback> (the XDG base directory rule).
std::filesystem::path xdg_directory(const char* variable, const char* fallback) {
  if (const char* value = std::getenv(variable); value && *value) return value;
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) throw Error(ENOENT, std::string("cannot find the home directory: set HOME or ") + variable);
    home = pw->pw_dir;
  }
  return std::filesystem::path(home) / fallback;
}

}  // namespace

std::filesystem::path default_config_path() {
  return xdg_directory("XDG_CONFIG_HOME", ".config") / "protectedfs" / "config.toml";
}

std::filesystem::path default_local_network_dir() {
  return xdg_directory("XDG_DATA_HOME", ".local/share") / "protectedfs" / "local";
}

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
