// Opening a network by the name users give (SPEC.md §1 `network=`, §6): `local` (the embedded network in
// $XDG_DATA_HOME/protectedfs/local), `local:DIR`, a built-in iExec network, or a profile of the config file
// ($XDG_CONFIG_HOME/protectedfs/config.toml). An empty name is the config file's `default_network`, else `local`.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "protectedfs/network/network.hpp"

namespace pfs::network {

// $XDG_CONFIG_HOME/protectedfs/config.toml (default ~/.config/protectedfs/config.toml).
std::filesystem::path default_config_path();
// $XDG_DATA_HOME/protectedfs/local (default ~/.local/share/protectedfs/local).
std::filesystem::path default_local_network_dir();

// EINVAL for a malformed config file or `local:` without a directory; ENOENT for an unknown name.
std::unique_ptr<Network> open_network(const std::string& name);
std::unique_ptr<Network> open_network(const std::string& name, const std::filesystem::path& config_path);

}  // namespace pfs::network
