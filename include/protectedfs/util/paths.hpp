// Where protectedfs keeps things for the user (the XDG base directory rule, SPEC.md §1): state in
// $XDG_DATA_HOME/protectedfs (default ~/.local/share/protectedfs), the config in $XDG_CONFIG_HOME/protectedfs
// (default ~/.config/protectedfs).
#pragma once
#include <filesystem>

namespace pfs {

std::filesystem::path user_data_directory();    // …/protectedfs under XDG_DATA_HOME
std::filesystem::path user_config_directory();  // …/protectedfs under XDG_CONFIG_HOME

}  // namespace pfs
