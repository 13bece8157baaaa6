// Each file of src/cli adds its subcommands to the one CLI11 application built in main.cpp.
#pragma once
#include <CLI/CLI.hpp>

namespace pfs::cli {

void add_pack_commands(CLI::App& app);    // pack, unpack
void add_wallet_commands(CLI::App& app);  // wallet create | import | show

}  // namespace pfs::cli
