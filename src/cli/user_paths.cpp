#include "cli/user_paths.hpp"

#include "protectedfs/util/paths.hpp"

namespace pfs::cli {

std::filesystem::path data_directory() { return user_data_directory(); }

std::filesystem::path default_wallet_path() { return data_directory() / "wallet.json"; }

}  // namespace pfs::cli
