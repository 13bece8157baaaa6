// Each file of src/cli adds its subcommands to the one CLI11 application built in main.cpp.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pfs::cli {

void add_pack_commands(CLI::App& app);    // pack, unpack
void add_wallet_commands(CLI::App& app);  // wallet create | import | show | faucet
void add_app_commands(CLI::App& app);     // app register
void add_run_command(CLI::App& app);      // run DATASET --app APP
void add_find_command(CLI::App& app);     // find --schema PATH:TYPE
void add_status_commands(CLI::App& app);  // status, sync (through a mount's attributes)
void add_usage_commands(CLI::App& app);   // usage (through a mount's attributes, or the network)

// `protectedfs MOUNTPOINT [-o OPTS] [-f] [-d]`: the daemon. Returns the exit status.
int run_mount(const std::vector<std::string>& args);

}  // namespace pfs::cli
