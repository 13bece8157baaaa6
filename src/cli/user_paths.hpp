// Where protectedfs keeps its state (SPEC.md §1): $XDG_DATA_HOME/protectedfs/ (default ~/.local/share).
#pragma once
#include <filesystem>

namespace pfs::cli {

std::filesystem::path data_directory();
std::filesystem::path default_wallet_path();

}  // namespace pfs::cli
